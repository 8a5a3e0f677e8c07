//! nginx's directive table: for each directive, the modules that define it, the contexts and
//! argument counts each accepts, whether a repeat in one block is refused, and the releases
//! that have it. `directives.tsv` is generated from nginx's own `ngx_command_t` arrays (and
//! those of well-known third-party modules) by `scripts/gen-nginx-directives.py`; the format
//! is described there.

use std::collections::HashMap;
use std::sync::OnceLock;

const TSV: &str = include_str!("directives.tsv");

/// `ngx_command_t.type` bits, with nginx's values (core/ngx_conf_file.h, http/ngx_http_config.h,
/// stream/ngx_stream.h, mail/ngx_mail.h, event/ngx_event.h).
pub mod bits {
    pub const NOARGS: u32 = 0x0000_0001;
    pub const BLOCK: u32 = 0x0000_0100;
    pub const FLAG: u32 = 0x0000_0200;
    pub const ANY: u32 = 0x0000_0400;
    pub const MORE1: u32 = 0x0000_0800;
    pub const MORE2: u32 = 0x0000_1000;
    pub const MAX_ARGS: usize = 8;
    /// `NGX_MAIN_CONF`; the other module types' contexts share the bits above it.
    pub const MAIN: u32 = 0x0100_0000;
    pub const SECOND: u32 = 0x0200_0000;
    pub const THIRD: u32 = 0x0400_0000;
    pub const FOURTH: u32 = 0x0800_0000;
    pub const HTTP_UPS: u32 = 0x1000_0000;
    pub const HTTP_SIF: u32 = 0x2000_0000;
    pub const HTTP_LIF: u32 = 0x4000_0000;
    pub const HTTP_LMT: u32 = 0x8000_0000;
    pub const ANY_CONF: u32 = 0xFF00_0000;
}

fn flag_bit(name: &str) -> Option<u32> {
    use bits::*;
    Some(match name {
        "NOARGS" => NOARGS,
        "TAKE1" => 0x2,
        "TAKE2" => 0x4,
        "TAKE3" => 0x8,
        "TAKE4" => 0x10,
        "TAKE5" => 0x20,
        "TAKE6" => 0x40,
        "TAKE7" => 0x80,
        "TAKE12" => 0x2 | 0x4,
        "TAKE13" => 0x2 | 0x8,
        "TAKE23" => 0x4 | 0x8,
        "TAKE123" => 0x2 | 0x4 | 0x8,
        "TAKE1234" => 0x2 | 0x4 | 0x8 | 0x10,
        "BLOCK" => BLOCK,
        "FLAG" => FLAG,
        "ANY" => ANY,
        "1MORE" => MORE1,
        "2MORE" => MORE2,
        // Where the value is stored, not where the directive may appear.
        "DIRECT_CONF" => 0,
        "MAIN_CONF" => MAIN,
        "ANY_CONF" => ANY_CONF,
        "EVENT_CONF" | "HTTP_MAIN_CONF" | "STREAM_MAIN_CONF" | "MAIL_MAIN_CONF" => SECOND,
        "HTTP_SRV_CONF" | "STREAM_SRV_CONF" | "MAIL_SRV_CONF" => THIRD,
        "HTTP_LOC_CONF" | "STREAM_UPS_CONF" => FOURTH,
        "HTTP_UPS_CONF" => HTTP_UPS,
        "HTTP_SIF_CONF" => HTTP_SIF,
        "HTTP_LIF_CONF" => HTTP_LIF,
        "HTTP_LMT_CONF" => HTTP_LMT,
        _ => return None,
    })
}

/// `ngx_module_t.type`: nginx looks a directive up only in modules of the type of the block
/// it is in, and in `CONF` (the `include` module) everywhere.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ModuleType {
    Core,
    Conf,
    Event,
    Http,
    Stream,
    Mail,
}

impl ModuleType {
    fn parse(s: &str) -> Option<ModuleType> {
        Some(match s {
            "CORE" => ModuleType::Core,
            "CONF" => ModuleType::Conf,
            "EVENT" => ModuleType::Event,
            "HTTP" => ModuleType::Http,
            "STREAM" => ModuleType::Stream,
            "MAIL" => ModuleType::Mail,
            _ => return None,
        })
    }
}

/// Whether a second use of the directive in the same block is refused ("is duplicate").
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Repeat {
    Allowed,
    Refused,
}

/// One directive as one module defines it in a run of releases.
#[derive(Debug)]
pub struct Command {
    pub name: &'static str,
    /// `ngx_http_proxy_module`, or the `[nginx] modules` name of a third-party module.
    pub module: &'static str,
    pub module_type: ModuleType,
    pub flags: u32,
    pub repeat: Repeat,
    /// Indexes into [`Table::versions`]; `None` for third-party modules (any nginx).
    versions: Option<Vec<(u16, u16)>>,
    pub third_party: bool,
}

impl Command {
    fn in_version(&self, index: u16) -> bool {
        self.versions
            .as_ref()
            .is_none_or(|r| r.iter().any(|&(a, b)| (a..=b).contains(&index)))
    }
    pub fn is_block(&self) -> bool {
        self.flags & bits::BLOCK != 0
    }
    /// ngx_conf_handler's test of the argument count (`words` counts the name).
    pub fn takes(&self, words: usize) -> bool {
        let f = self.flags;
        if f & bits::ANY != 0 {
            true
        } else if f & bits::FLAG != 0 {
            words == 2
        } else if f & bits::MORE1 != 0 {
            words >= 2
        } else if f & bits::MORE2 != 0 {
            words >= 3
        } else if words > bits::MAX_ARGS {
            false
        } else {
            f & (1 << (words - 1)) != 0
        }
    }
}

pub struct Table {
    /// Every release the table covers, oldest first.
    pub versions: Vec<(u32, u32, u32)>,
    by_name: HashMap<&'static str, Vec<Command>>,
}

/// The table, parsed once.
pub fn table() -> &'static Table {
    static TABLE: OnceLock<Table> = OnceLock::new();
    TABLE.get_or_init(|| parse(TSV))
}

fn parse(tsv: &'static str) -> Table {
    let mut versions = Vec::new();
    let mut by_name: HashMap<&'static str, Vec<Command>> = HashMap::new();
    let mut third_party = false;
    for line in tsv.lines() {
        if let Some(list) = line.strip_prefix("#versions ") {
            versions = list
                .split(' ')
                .filter_map(super::settings::parse_version)
                .collect();
            continue;
        }
        if line.starts_with("#module ") {
            third_party = true;
            continue;
        }
        let f: Vec<&'static str> = line.split('\t').collect();
        let [name, module, module_type, flags, repeat, ranges] = f[..] else {
            continue;
        };
        let (Some(module_type), Some(flags)) = (
            ModuleType::parse(module_type),
            flags.split('|').map(flag_bit).sum::<Option<u32>>(),
        ) else {
            continue;
        };
        let versions = (ranges != "*").then(|| {
            ranges
                .split(',')
                .filter_map(|r| {
                    let (a, b) = r.split_once('-')?;
                    Some((a.parse().ok()?, b.parse().ok()?))
                })
                .collect()
        });
        by_name.entry(name).or_default().push(Command {
            name,
            module,
            module_type,
            flags,
            repeat: if repeat == "-" {
                Repeat::Allowed
            } else {
                Repeat::Refused
            },
            versions,
            third_party,
        });
    }
    Table { versions, by_name }
}

/// The directives one nginx release knows, with the third-party modules a run declares.
pub struct Known<'t> {
    table: &'t Table,
    version: u16,
    /// The declared third-party modules; `None`: every one in the table.
    modules: Option<Vec<String>>,
}

impl Table {
    /// The release whose table judges `target`: the newest tagged release not newer than it
    /// (1.18.0 for older ones); without a target, the newest stable release (even minor).
    pub fn version_index(&self, target: Option<(u32, u32, u32)>) -> u16 {
        let pick = match target {
            Some(t) => self.versions.iter().rposition(|&v| v <= t),
            None => self.versions.iter().rposition(|v| v.1 % 2 == 0),
        };
        pick.unwrap_or(0) as u16
    }

    fn release(&self, index: u16) -> String {
        let (a, b, c) = self.versions[index as usize];
        format!("{a}.{b}.{c}")
    }

    pub fn known(&self, target: Option<(u32, u32, u32)>, modules: Option<&[String]>) -> Known<'_> {
        Known {
            table: self,
            version: self.version_index(target),
            modules: modules.map(<[String]>::to_vec),
        }
    }
}

impl Known<'_> {
    /// The release the table judges by, as `1.30.3`.
    pub fn version(&self) -> String {
        self.table.release(self.version)
    }

    /// Every definition of `name` in this release and the declared modules, in table order.
    pub fn commands<'s>(&'s self, name: &str) -> impl Iterator<Item = &'s Command> + 's {
        self.table
            .by_name
            .get(name)
            .into_iter()
            .flatten()
            .filter(|c| {
                if c.third_party {
                    self.declared(c.module)
                } else {
                    c.in_version(self.version)
                }
            })
    }

    /// The first and last releases in the table that have `name`, as `1.25.1`.
    pub fn releases_with(&self, name: &str) -> Option<(String, String)> {
        let ranges = self
            .table
            .by_name
            .get(name)?
            .iter()
            .filter(|c| !c.third_party)
            .filter_map(|c| c.versions.as_ref())
            .flatten();
        let first = ranges.clone().map(|r| r.0).min()?;
        let last = ranges.map(|r| r.1).max()?;
        Some((self.table.release(first), self.table.release(last)))
    }

    fn declared(&self, module: &str) -> bool {
        self.modules
            .as_ref()
            .is_none_or(|list| list.iter().any(|m| m == module))
    }

    /// The third-party module that defines `name`, when it is not declared.
    pub fn undeclared_module(&self, name: &str) -> Option<&'static str> {
        self.table
            .by_name
            .get(name)?
            .iter()
            .find(|c| c.third_party && !self.declared(c.module))
            .map(|c| c.module)
    }

    /// Directive names of this release, for "did you mean".
    pub fn names(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.table
            .by_name
            .iter()
            .filter(|(name, _)| self.commands(name).next().is_some())
            .map(|(name, _)| *name)
    }
}

/// The third-party modules whose directives the table holds, for `[nginx] modules`.
pub fn third_party_modules() -> Vec<&'static str> {
    let mut out: Vec<&'static str> = TSV
        .lines()
        .filter_map(|l| l.strip_prefix("#module "))
        .filter_map(|l| l.split(' ').next())
        .collect();
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn first<'k>(k: &'k Known<'_>, name: &str) -> &'k Command {
        k.commands(name).next().unwrap()
    }

    #[test]
    fn the_table_covers_1_18_to_mainline_and_defaults_to_the_newest_stable() {
        let t = table();
        assert_eq!(t.versions[0], (1, 18, 0));
        assert!(t.versions.len() > 50);
        let stable = t.versions[t.version_index(None) as usize];
        assert_eq!(stable.1 % 2, 0);
        assert!(t.versions.iter().all(|v| v.1 % 2 == 1 || *v <= stable));
        assert_eq!(
            t.versions[t.version_index(Some((1, 22, 9))) as usize],
            (1, 22, 1)
        );
    }

    #[test]
    fn argument_flags_follow_ngx_conf_handler() {
        let k = table().known(None, None);
        let error_log = first(&k, "error_log");
        assert!(error_log.takes(2) && error_log.takes(4) && !error_log.takes(1));
        let gzip = first(&k, "gzip");
        assert!(gzip.takes(2) && !gzip.takes(3));
        let add_header = first(&k, "add_header");
        assert!(!add_header.takes(2) && add_header.takes(3) && add_header.takes(4));
        assert!(!add_header.takes(5));
        assert!(first(&k, "http").is_block());
        assert_eq!(first(&k, "proxy_pass").repeat, Repeat::Refused);
        assert_eq!(first(&k, "add_header").repeat, Repeat::Allowed);
    }

    #[test]
    fn releases_and_declared_modules_pick_the_directives() {
        let t = table();
        let has = |k: Known<'_>, name: &str| k.commands(name).next().is_some();
        assert!(!has(t.known(Some((1, 22, 1)), None), "http2"));
        assert!(has(t.known(Some((1, 25, 1)), None), "http2"));
        let lua = || t.known(None, Some(&["lua".to_owned()]));
        assert!(has(lua(), "content_by_lua_block"));
        assert!(!has(lua(), "more_set_headers"));
        assert_eq!(
            lua().undeclared_module("more_set_headers"),
            Some("headers-more")
        );
        let plain = t.known(None, None);
        assert!(plain.commands("more_set_headers").next().is_some());
        assert_eq!(
            plain.releases_with("http2").map(|r| r.0).as_deref(),
            Some("1.25.1")
        );
        assert!(third_party_modules().contains(&"brotli"));
    }
}
