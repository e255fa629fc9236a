//! Command-line parsing shared by both binaries: every setting is an
//! environment variable with an optional `--flag` twin (flag > env > default),
//! plus `--help`, `--version` and `--check-config` (validate, then exit).

use crate::daemon::Invocation;
use crate::setting::{Origin, RawSettings, RawValue, SettingSpec};
use std::ffi::OsString;

/// Parse `args` (without the program name) against `specs`, looking variables
/// up with `env`. Errors are one line naming the offending argument.
pub fn parse_command_line<I, E>(
    program: &str,
    version: &str,
    about: &str,
    specs: &[SettingSpec],
    args: I,
    env: E,
) -> Result<Invocation<RawSettings>, String>
where
    I: IntoIterator<Item = OsString>,
    E: Fn(&str) -> Option<String>,
{
    use lexopt::prelude::*;
    let mut parser = lexopt::Parser::from_args(args);
    let mut settings = RawSettings::default();
    let mut check_only = false;
    while let Some(arg) = parser.next().map_err(|e| e.to_string())? {
        match arg {
            Long("help") | Short('h') => {
                return Ok(Invocation::Print(help_text(program, version, about, specs)))
            }
            Long("version") | Short('V') => {
                return Ok(Invocation::Print(format!("{program} {version}")))
            }
            Long("check-config") => check_only = true,
            Long(name) => {
                let name = name.to_string();
                let spec = specs
                    .iter()
                    .find(|s| s.flag == name.as_str())
                    .ok_or_else(|| format!("unknown option --{name} (see --help)"))?;
                let value = parser
                    .value()
                    .map_err(|e| e.to_string())?
                    .into_string()
                    .map_err(|v| format!("--{name}: value {v:?} is not valid UTF-8"))?;
                settings.insert(
                    spec.env,
                    RawValue {
                        value,
                        origin: Origin::Flag(spec.flag),
                    },
                );
            }
            other => return Err(format!("{} (see --help)", other.unexpected())),
        }
    }
    for spec in specs {
        if settings.get(spec.env).is_some() {
            continue;
        }
        if let Some(value) = env(spec.env) {
            settings.insert_env(spec.env, value);
        } else if let Some(default) = spec.default {
            settings.insert(
                spec.env,
                RawValue {
                    value: default.to_string(),
                    origin: Origin::Default(spec.env),
                },
            );
        }
    }
    if check_only {
        return Ok(Invocation::Check(settings));
    }
    Ok(Invocation::Run(settings))
}

fn help_text(program: &str, version: &str, about: &str, specs: &[SettingSpec]) -> String {
    let mut out = format!(
        "{program} {version}\n{about}\n\nUsage: {program} [OPTIONS]\n\n\
         Every option can also be set by its environment variable (flag > environment > default).\n\n\
         Options:\n"
    );
    for spec in specs {
        let default = spec
            .default
            .map(|d| format!(" [default: {d}]"))
            .unwrap_or_default();
        out.push_str(&format!(
            "  --{:<16} ${}\n      {}{}\n",
            spec.flag, spec.env, spec.help, default
        ));
    }
    out.push_str(
        "  --check-config        check the settings (exit 0, or 2 naming the bad one) and exit\n  \
         -h, --help            print this help\n  -V, --version         print the version\n",
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const SPECS: &[SettingSpec] = &[SettingSpec {
        env: "X_PORT",
        flag: "port",
        default: Some("5001"),
        help: "port",
        ..crate::settings::AGENT_BASE
    }];

    fn run(args: &[&str], env: &[(&str, &str)]) -> Result<Invocation<RawSettings>, String> {
        let env: Vec<(String, String)> = env
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        parse_command_line(
            "prog",
            "1.0",
            "about",
            SPECS,
            args.iter().map(OsString::from),
            move |k| env.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone()),
        )
    }

    fn port(cmd: Invocation<RawSettings>) -> RawValue {
        match cmd {
            Invocation::Run(s) => s.get("X_PORT").cloned().expect("port set"),
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn flag_beats_env_beats_default() {
        assert_eq!(port(run(&[], &[]).unwrap()).value, "5001");
        assert_eq!(port(run(&[], &[("X_PORT", "7")]).unwrap()).value, "7");
        let v = port(run(&["--port", "9"], &[("X_PORT", "7")]).unwrap());
        assert_eq!((v.value.as_str(), v.origin), ("9", Origin::Flag("port")));
        assert_eq!(port(run(&["--port=8"], &[]).unwrap()).value, "8");
    }

    #[test]
    fn unknown_option_is_one_line_error() {
        let e = run(&["--nope"], &[]).unwrap_err();
        assert_eq!(e, "unknown option --nope (see --help)");
        assert!(run(&["stray"], &[]).unwrap_err().contains("stray"));
        assert!(run(&["--port"], &[]).unwrap_err().contains("--port"));
    }

    #[test]
    fn help_lists_every_variable() {
        match run(&["--help"], &[]).unwrap() {
            Invocation::Print(h) => assert!(h.contains("$X_PORT") && h.contains("[default: 5001]")),
            other => panic!("unexpected {other:?}"),
        }
        assert!(matches!(run(&["-V"], &[]).unwrap(), Invocation::Print(v) if v == "prog 1.0"));
    }
}
