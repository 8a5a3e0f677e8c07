//! The file formats wscfg understands, and how a file is recognised as one of them.

pub mod apache;
pub mod app_kind;
pub mod apprunner;
pub mod aws;
pub mod cloudrun;
pub mod fly;
pub mod haproxy;
pub mod head;
pub mod iac;
pub mod k8s;
pub mod nginx;
pub mod railway;
pub mod render_com;
pub mod spanned;
mod syntax_error;
pub mod terraform;
pub mod ws_path;

pub use syntax_error::SyntaxError;

pub use crate::format_id::Format;
use std::path::Path;

impl Format {
    /// Name first, then content. `named` is true for a file the user named explicitly, which
    /// is given the benefit of the doubt for ambiguous extensions.
    pub fn detect(path: &Path, named: bool) -> Option<Format> {
        let head = head::Head::new(path);
        // Terraform: only files declaring a resource wscfg reads; other `.tf` files are not
        // wscfg's, parsable or not.
        if terraform::is_terraform_name(path) || terraform::is_terraform_json_name(path) {
            return terraform::detect(&head);
        }
        if fly::detect_by_name(path) {
            return Some(Format::Fly);
        }
        if railway::is_manifest_name(path) {
            return Some(Format::Railway);
        }
        if apprunner::is_manifest_name(path) {
            return Some(Format::AppRunner);
        }
        if render_com::is_manifest_name(path) {
            return Some(Format::RenderCom);
        }
        if haproxy::is_config_name(path) {
            return Some(Format::Haproxy);
        }
        // Apache's sites-enabled/ and conf.d/ share names with nginx's: its content decides.
        if apache::is_config_name(path) || apache::detect_by_content(&head, named) {
            return Some(Format::Apache);
        }
        if nginx::detect::by_name(path) {
            return Some(Format::Nginx);
        }
        // A template's UserData can embed an nginx configuration: the template wins.
        if let Some(f) = aws::detect_by_content(&head, named) {
            return Some(f);
        }
        if fly::detect_by_content(&head, named) {
            return Some(Format::Fly);
        }
        if nginx::detect::by_content(&head, named) {
            return Some(Format::Nginx);
        }
        if railway::detect_by_content(&head, named) {
            return Some(Format::Railway);
        }
        if haproxy::detect_by_content(&head, named) {
            return Some(Format::Haproxy);
        }
        if k8s::detect_by_content(&head, named) {
            return Some(Format::Kubernetes);
        }
        if cloudrun::detect_by_content(&head, named) {
            return Some(Format::CloudRun);
        }
        if render_com::detect_by_content(&head, named) {
            return Some(Format::RenderCom);
        }
        if apprunner::detect_by_content(&head, named) {
            return Some(Format::AppRunner);
        }
        if app_kind::detect(path).is_some() {
            return Some(Format::App);
        }
        None
    }
}
