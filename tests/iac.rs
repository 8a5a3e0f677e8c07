//! Infrastructure code (CloudFormation, Terraform) through discovery and the engine: which
//! `.tf` files are wscfg's, syntax errors, and files declaring several platforms' resources.

mod support;

use wscfg::config::Config;
use wscfg::engine::Session;
use wscfg::formats::Format;

/// Discovered files (name, format) and findings (file name, code).
type Checked = (Vec<(String, Format)>, Vec<(String, String)>);

fn check_tree(root: &std::path::Path) -> Checked {
    let (found, errors) = wscfg::workspace::discover(&[root.to_owned()]);
    assert!(errors.is_empty(), "{errors:?}");
    let mut s = Session::new(Config::default());
    let mut files = Vec::new();
    for f in found {
        let name = f.path.file_name().unwrap().to_string_lossy().into_owned();
        files.push((name, f.format));
        s.add_file(f.path, f.format);
    }
    files.sort();
    let diags = s.lint();
    let codes = diags
        .iter()
        .map(|d| {
            let name = s.db.get(d.file).path.file_name().unwrap();
            (name.to_string_lossy().into_owned(), d.code.to_owned())
        })
        .collect();
    (files, codes)
}

#[test]
fn only_terraform_files_declaring_resources_wscfg_reads_are_checked() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::write(
        root.join("network.tf"),
        "resource \"aws_vpc\" \"main\" {\n  cidr_block = \"10.0.0.0/16\"\n}\n",
    )
    .unwrap();
    // Unrelated and unparsable: still not wscfg's, so no syntax error either.
    std::fs::write(
        root.join("broken.tf"),
        "resource \"aws_s3_bucket\" \"b\" {\n  acl = \n",
    )
    .unwrap();
    std::fs::write(
        root.join("run.tf"),
        "resource \"google_cloud_run_v2_service\" \"chat\" {\n  template {\n    timeout = \n  }\n}\n",
    )
    .unwrap();
    let (files, codes) = check_tree(root);
    assert_eq!(files, vec![("run.tf".to_owned(), Format::CloudRun)]);
    assert_eq!(codes, vec![("run.tf".to_owned(), "GCR000".to_owned())]);
}

#[test]
fn syntax_errors_are_located_in_the_detected_format() {
    for (text, format, code) in [
        (
            "resource \"aws_apprunner_service\" \"a\" {\n  service_name = \"a\n",
            Format::AppRunner,
            "APR000",
        ),
        (
            "resource \"aws_lb\" \"a\" {\n  idle_timeout = = 3\n}\n",
            Format::Aws,
            "AWS000",
        ),
        (
            "resource \"google_cloud_run_service\" \"a\" {\n  template { spec {\n",
            Format::CloudRun,
            "GCR000",
        ),
    ] {
        let path = std::env::temp_dir().join("wscfg-iac").join("main.tf");
        assert_eq!(wscfg::formats::terraform::detect_text(text), Some(format));
        let diags = support::lint_text(&path, text, format);
        assert_eq!(diags.len(), 1, "{text}: {diags:?}");
        assert_eq!(diags[0].code, code);
        assert!(
            diags[0].span.start > 0 && diags[0].span.end <= text.len(),
            "{diags:?}"
        );
    }
}

#[test]
fn one_file_declaring_several_platforms_gets_every_platforms_rules() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let main = r#"resource "aws_apprunner_service" "chat" {
  service_name = "chat"
  source_configuration {
    image_repository {
      image_identifier      = "public.ecr.aws/acme/chat:1.0"
      image_repository_type = "ECR_PUBLIC"
      image_configuration {
        start_command = "daphne -b 0.0.0.0 -p 8080 chat.asgi:application"
      }
    }
  }
}

resource "aws_lb" "legacy" {
  name = "legacy"
}

resource "aws_lb_target_group" "ws" {
  name = "legacy-ws"
}
"#;
    std::fs::write(root.join("main.tf"), main).unwrap();
    let template = "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  Chat:\n    Type: AWS::AppRunner::Service\n    Properties:\n      SourceConfiguration:\n        ImageRepository:\n          ImageConfiguration:\n            StartCommand: !Sub 'streamlit run app.py --server.port ${Port}'\n";
    std::fs::write(root.join("stack.yaml"), template).unwrap();
    let (files, codes) = check_tree(root);
    assert_eq!(
        files,
        vec![
            ("main.tf".to_owned(), Format::AppRunner),
            ("stack.yaml".to_owned(), Format::AppRunner)
        ]
    );
    for want in [
        ("main.tf", "APR001"),
        ("main.tf", "AWS001"),
        ("stack.yaml", "APR001"),
    ] {
        assert!(
            codes.iter().any(|(f, c)| f == want.0 && c == want.1),
            "{want:?} missing from {codes:?}"
        );
    }
    // The fix raises the ALB timeout and touches nothing else.
    let path = root.join("main.tf");
    let fixed = support::fix_text(&path, main, Format::AppRunner).unwrap();
    assert_eq!(
        fixed,
        main.replace(
            "  name = \"legacy\"\n",
            "  idle_timeout = 3600\n  name = \"legacy\"\n"
        )
    );
}

#[test]
fn odd_terraform_never_panics() {
    let bits = [
        "resource",
        "\"aws_lb\"",
        "\"x\"",
        "{",
        "}",
        "idle_timeout",
        "=",
        "60",
        "\"60s\"",
        "template",
        "timeout",
        "containers",
        "ports",
        "name",
        "\"h2c\"",
        "[",
        "]",
        ",",
        "${",
        "\n",
        "#",
        "//",
        "/*",
        "é",
        "<<EOF",
        "EOF",
        "google_cloud_run_v2_service",
        "aws_apprunner_service",
        "start_command",
        "\"uvicorn a:b\"",
    ];
    let mut seed: u64 = 11;
    for _ in 0..400 {
        let mut text = String::new();
        for _ in 0..(seed % 40) {
            seed = seed
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            text.push_str(bits[(seed >> 33) as usize % bits.len()]);
            text.push(' ');
        }
        let path = std::env::temp_dir().join("wscfg-odd-tf").join("main.tf");
        for format in [Format::AppRunner, Format::CloudRun, Format::Aws] {
            let _ = support::lint_text(&path, &text, format);
        }
    }
}

#[test]
fn slash_and_block_comments_suppress_in_terraform() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    // Detected as Aws: `//` above the resource silences the finding on its label.
    let lb = r#"// wscfg: ignore AWS001 -- the chat client pings every 20 s
resource "aws_lb" "public" {
  name = "chat-public"
}

resource "aws_lb_target_group" "ws" {
  name = "chat-ws" # the WebSocket service
}
"#;
    std::fs::write(root.join("lb.tf"), lb).unwrap();
    // Detected as AppRunner (first resource): a block comment at the end of the line.
    let mixed = r#"resource "aws_apprunner_service" "api" {
  service_name = "api"
}

resource "aws_alb" "game" {
  idle_timeout = 30 /* wscfg: ignore AWS001 -- the game server pings every 10 s */
}

resource "aws_alb_target_group" "game" {
  name = "game-ws"
}
"#;
    std::fs::write(root.join("mixed.tf"), mixed).unwrap();
    // Nothing to silence: WSC001.
    let unused = r#"/* wscfg: ignore AWS001 -- raised already */
resource "aws_elb" "ticker" {
  idle_timeout = 3600
  listener {
    instance_port     = 3000
    instance_protocol = "tcp"
    lb_port           = 443
    lb_protocol       = "ssl"
  }
}

resource "aws_lb_target_group" "ticker" {
  name = "ticker-ws"
}
"#;
    std::fs::write(root.join("unused.tf"), unused).unwrap();
    let (files, codes) = check_tree(root);
    assert_eq!(
        files,
        vec![
            ("lb.tf".to_owned(), Format::Aws),
            ("mixed.tf".to_owned(), Format::AppRunner),
            ("unused.tf".to_owned(), Format::Aws),
        ]
    );
    assert_eq!(codes, vec![("unused.tf".to_owned(), "WSC001".to_owned())]);
    // Without the comments, each file has its AWS001: the suppressions did the silencing.
    for (name, text) in [("lb.tf", lb), ("mixed.tf", mixed)] {
        let bare: String = text
            .lines()
            .map(|l| l.split(" /*").next().unwrap())
            .filter(|l| !l.starts_with("//"))
            .map(|l| format!("{l}\n"))
            .collect();
        std::fs::write(root.join(name), bare).unwrap();
    }
    let (_, codes) = check_tree(root);
    for name in ["lb.tf", "mixed.tf"] {
        assert!(
            codes.contains(&(name.to_owned(), "AWS001".to_owned())),
            "{name}: {codes:?}"
        );
    }
}

#[test]
fn resources_after_the_first_64_kib_are_found() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let filler: String = (0..600)
        .map(|i| {
            format!(
                "resource \"aws_s3_object\" \"asset_{i}\" {{\n  bucket = aws_s3_bucket.assets.id\n  key    = \"static/app.{i}.js\"\n  source = \"${{path.module}}/dist/app.{i}.js\"\n}}\n\n"
            )
        })
        .collect();
    assert!(filler.len() > 64 * 1024, "{}", filler.len());
    let lb = "resource \"aws_lb\" \"public\" {\n  name = \"chat\"\n}\n\nresource \"aws_lb_target_group\" \"ws\" {\n  name = \"chat-ws\"\n}\n";
    std::fs::write(root.join("late.tf"), format!("{filler}{lb}")).unwrap();
    std::fs::write(root.join("assets.tf"), &filler).unwrap();
    let (files, codes) = check_tree(root);
    assert_eq!(files, vec![("late.tf".to_owned(), Format::Aws)]);
    assert_eq!(codes, vec![("late.tf".to_owned(), "AWS001".to_owned())]);
}
