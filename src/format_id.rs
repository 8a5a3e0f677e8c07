//! Which format a file is: the identity the leaf types (rule metadata) and every layer share;
//! how a file is recognised as one is `formats::Format::detect`.

use serde::Serialize;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    Nginx,
    Fly,
    Railway,
    AppRunner,
    /// App-side files the project view reads (sources, `.env*`, Dockerfile, dependencies).
    App,
    Kubernetes,
    Haproxy,
    Apache,
    /// Render.com blueprints (`render.yaml`).
    #[serde(rename = "render")]
    RenderCom,
    CloudRun,
    Aws,
}

impl Format {
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Nginx => "nginx",
            Format::Fly => "fly",
            Format::Railway => "railway",
            Format::AppRunner => "apprunner",
            Format::App => "app",
            Format::Kubernetes => "kubernetes",
            Format::Haproxy => "haproxy",
            Format::Apache => "apache",
            Format::RenderCom => "render",
            Format::CloudRun => "cloudrun",
            Format::Aws => "aws",
        }
    }

    pub const ALL: [Format; 11] = [
        Format::Nginx,
        Format::Fly,
        Format::Railway,
        Format::AppRunner,
        Format::App,
        Format::Kubernetes,
        Format::Haproxy,
        Format::Apache,
        Format::RenderCom,
        Format::CloudRun,
        Format::Aws,
    ];

    pub fn parse(s: &str) -> Option<Format> {
        Format::ALL.into_iter().find(|f| f.as_str() == s)
    }

    /// "nginx, fly, railway, apprunner", for messages.
    pub fn names() -> String {
        Format::ALL.map(Format::as_str).join(", ")
    }
}
