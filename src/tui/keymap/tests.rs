use super::*;
use ratatui::crossterm::event::{KeyCode, KeyEventState, KeyModifiers};
use std::ffi::OsString;

fn press(code: KeyCode, modifiers: KeyModifiers) -> KeyEvent {
    KeyEvent::new(code, modifiers)
}

fn char(c: char) -> KeyEvent {
    press(KeyCode::Char(c), KeyModifiers::NONE)
}

#[test]
fn every_context_can_quit_and_get_help() {
    let map = KeyMap::default_map();
    for &ctx in Context::ALL {
        for command in [Command::Quit, Command::Help] {
            assert!(
                !map.keys_for(ctx, command).is_empty(),
                "{command} unreachable in {ctx:?}"
            );
        }
        // A way back: `back`, or what stands for it in a question, the conflict chooser and the
        // import preview.
        let out = [Command::Back, Command::No, Command::KeepTheirs];
        assert!(
            out.iter().any(|c| !map.keys_for(ctx, *c).is_empty()),
            "no way back in {ctx:?}"
        );
        let ctrl_c = press(KeyCode::Char('c'), KeyModifiers::CONTROL);
        assert_eq!(map.command(ctx, &ctrl_c), Some(Command::Quit), "{ctx:?}");
    }
}

#[test]
fn default_lookups() {
    let map = KeyMap::default_map();
    let t = Context::Timeline;
    assert_eq!(map.command(t, &char('a')), Some(Command::Add));
    assert_eq!(map.command(t, &char('m')), Some(Command::SetMilestone));
    assert_eq!(map.command(t, &char('n')), Some(Command::SearchNext));
    assert_eq!(map.command(t, &char('N')), Some(Command::SearchPrev));
    assert_eq!(map.command(t, &char('q')), Some(Command::Back), "from [global]");
    assert_eq!(map.command(t, &char('2')), Some(Command::FocusCauses));
    assert_eq!(map.command(t, &char('s')), None, "causes only");
    assert_eq!(map.command(Context::Home, &char('n')), Some(Command::NewIncident));
    assert_eq!(map.command(Context::Home, &char('D')), Some(Command::LoadDemo));
    assert_eq!(map.command(Context::Welcome, &char('D')), Some(Command::LoadDemo));
    assert_eq!(map.command(Context::Causes, &char('r')), Some(Command::CauseRuledOut));
    assert_eq!(
        map.command(t, &char('l')),
        Some(Command::LinkEvidence),
        "an event is linked from the timeline"
    );
    assert_eq!(map.command(t, &char('E')), Some(Command::EditIncident));
    assert_eq!(map.command(Context::Actions, &char('l')), Some(Command::Right));
    assert_eq!(map.command(Context::Actions, &char('<')), Some(Command::MoveLeft));
    assert_eq!(map.command(Context::Actions, &char('>')), Some(Command::MoveRight));
    let pgdn = press(KeyCode::PageDown, KeyModifiers::NONE);
    assert_eq!(map.command(t, &pgdn), Some(Command::PageDown));
}

#[test]
fn popups_keep_letters_as_text() {
    let map = KeyMap::default_map();
    let p = Context::Popup;
    assert_eq!(map.command(p, &char('q')), None);
    assert_eq!(map.command(p, &char('?')), None);
    assert_eq!(map.command(p, &char('j')), None);
    let esc = press(KeyCode::Esc, KeyModifiers::NONE);
    assert_eq!(map.command(p, &esc), Some(Command::Back));
    let f1 = press(KeyCode::F(1), KeyModifiers::NONE);
    assert_eq!(map.command(p, &f1), Some(Command::Help));
}

#[test]
fn shift_letters_match_however_the_terminal_reports_them() {
    let map = KeyMap::default_map();
    let t = Context::Timeline;
    assert_eq!(
        map.command(t, &press(KeyCode::Char('G'), KeyModifiers::SHIFT)),
        Some(Command::Bottom)
    );
    assert_eq!(
        map.command(t, &press(KeyCode::Char('G'), KeyModifiers::NONE)),
        Some(Command::Bottom)
    );
    assert_eq!(
        map.command(t, &press(KeyCode::Char('g'), KeyModifiers::SHIFT)),
        Some(Command::Bottom)
    );
    assert_eq!(map.command(t, &char('g')), Some(Command::Top));
    assert_eq!(
        map.command(t, &press(KeyCode::Char('?'), KeyModifiers::SHIFT)),
        Some(Command::Help)
    );
    let ctx = Context::Actions;
    assert_eq!(
        map.command(ctx, &press(KeyCode::Char('>'), KeyModifiers::SHIFT)),
        Some(Command::MoveRight)
    );
}

#[test]
fn shift_tab_is_backtab() {
    let map = KeyMap::default_map();
    let t = Context::Timeline;
    assert_eq!(
        map.command(t, &press(KeyCode::BackTab, KeyModifiers::SHIFT)),
        Some(Command::PrevPane)
    );
    assert_eq!(
        map.command(t, &press(KeyCode::BackTab, KeyModifiers::NONE)),
        Some(Command::PrevPane)
    );
    assert_eq!(
        map.command(t, &press(KeyCode::Tab, KeyModifiers::SHIFT)),
        Some(Command::PrevPane)
    );
    assert_eq!(
        map.command(t, &press(KeyCode::Tab, KeyModifiers::NONE)),
        Some(Command::NextPane)
    );
    assert_eq!(Key::parse("shift-tab"), Key::parse("backtab"));
}

#[test]
fn releases_do_nothing() {
    let map = KeyMap::default_map();
    let mut release = char('a');
    release.kind = KeyEventKind::Release;
    release.state = KeyEventState::NONE;
    assert_eq!(map.command(Context::Timeline, &release), None);
}

#[test]
fn parses_the_toml_spellings() {
    let key = |s| Key::parse(s).unwrap();
    assert_eq!(key("ctrl-c"), Key::new(KeyCode::Char('c'), KeyModifiers::CONTROL));
    assert_eq!(key("CTRL-c"), key("ctrl-c"));
    assert_eq!(key("shift-g"), key("G"));
    assert_eq!(key("pgup"), Key::new(KeyCode::PageUp, KeyModifiers::NONE));
    assert_eq!(key("f12"), Key::new(KeyCode::F(12), KeyModifiers::NONE));
    assert_eq!(key("-"), Key::new(KeyCode::Char('-'), KeyModifiers::NONE));
    assert_eq!(key("ctrl--"), Key::new(KeyCode::Char('-'), KeyModifiers::CONTROL));
    assert_eq!(key("space"), Key::new(KeyCode::Char(' '), KeyModifiers::NONE));
    for bad in ["", "ctrl-", "ctrl+c", "f0", "pageupp", "\t"] {
        assert!(Key::parse(bad).is_err(), "{bad:?}");
    }
}

#[test]
fn keys_are_shown_short() {
    let map = KeyMap::default_map();
    let t = Context::Timeline;
    assert_eq!(map.keys_for(t, Command::PrevPane), ["S-Tab"]);
    assert_eq!(map.keys_for(t, Command::NextPane), ["Tab"]);
    assert_eq!(map.keys_for(t, Command::PageUp), ["PgUp"]);
    assert_eq!(map.keys_for(t, Command::Up), ["↑", "k"]);
    assert_eq!(map.keys_for(t, Command::Bottom), ["G", "End"]);
    assert_eq!(map.keys_for(t, Command::Quit), ["C-c"]);
    assert_eq!(map.keys_for(t, Command::Add), ["a"]);
    assert!(map.keys_for(Context::Home, Command::Add).is_empty());
}

#[test]
fn bindings_say_where_they_come_from() {
    let map = KeyMap::default_map();
    let bindings = map.bindings(Context::Timeline);
    let find = |a| bindings.iter().find(|b| b.command == a).unwrap();
    assert_eq!(find(Command::Add).from, Context::Timeline);
    assert_eq!(find(Command::Add).description, "quick-add an event");
    assert_eq!(find(Command::Help).from, Context::Global);
    assert_eq!(find(Command::Help).keys, ["?", "F1"]);
    assert!(bindings.iter().all(|b| b.command != Command::LoadDemo));
}

#[test]
fn a_global_key_taken_by_a_pane_is_not_listed_twice() {
    let map = KeyMap::from_toml_patch("[global]\nexport = [\"x\", \"a\"]").unwrap();
    assert_eq!(map.keys_for(Context::Timeline, Command::Export), ["x"]);
    assert_eq!(map.keys_for(Context::Home, Command::Export), ["x", "a"]);
}

#[test]
fn a_user_patch_changes_only_what_it_lists() {
    let map = KeyMap::from_toml_patch("[timeline]\nadd = [\"i\"]\n").unwrap();
    let t = Context::Timeline;
    assert_eq!(map.command(t, &char('i')), Some(Command::Add));
    assert_eq!(map.command(t, &char('a')), None);
    assert_eq!(map.command(t, &char('e')), Some(Command::Edit));
    assert_eq!(map.command(Context::Causes, &char('a')), Some(Command::Add));
}

#[test]
fn a_patched_key_is_taken_from_its_old_action() {
    let map = KeyMap::from_toml_patch("[timeline]\nadd = \"e\"\n").unwrap();
    assert_eq!(map.command(Context::Timeline, &char('e')), Some(Command::Add));
    assert!(map.keys_for(Context::Timeline, Command::Edit).is_empty());
    let map = KeyMap::from_toml_patch("[global]\nhelp = []\n").unwrap();
    assert!(map.keys_for(Context::Timeline, Command::Help).is_empty());
}

fn patch_error(text: &str) -> String {
    let mut map = KeyMap::default_map();
    let before = map.clone();
    let err = map
        .apply_patch(text, "/home/me/.config/debrief/keymap.toml")
        .unwrap_err();
    assert_eq!(map, before, "a bad patch must change nothing");
    err.to_string()
}

#[test]
fn bad_patches_name_the_file_line_and_culprit() {
    assert_eq!(
        patch_error("[timeline]\nadd = [\"i\"]\nad = [\"a\"]\n"),
        "/home/me/.config/debrief/keymap.toml, line 3: [timeline] unknown command \"ad\" (did you mean \"add\"?)"
    );
    assert_eq!(
        patch_error("[causes]\nlink_evidence = [\"ctrl+l\"]\n"),
        "/home/me/.config/debrief/keymap.toml, line 2: [causes] link_evidence = \"ctrl+l\": bad key; \
         keys look like \"a\", \"G\", \"?\", \"ctrl-c\", \"shift-tab\", \"pgdn\", \"f1\""
    );
    assert_eq!(
        patch_error("\n[timelime]\nadd = [\"i\"]\n"),
        "/home/me/.config/debrief/keymap.toml, line 2: unknown section [timelime] \
         (sections: global, welcome, home, timeline, causes, actions, agenda, meeting, wrap_up, cross, insights, popup, \
         form, confirm, menu, conflict, import_preview)"
    );
    assert_eq!(
        patch_error("[actions]\nedit = [\"x\"]\nadd = [\"x\"]\n"),
        "/home/me/.config/debrief/keymap.toml, line 3: [actions] key \"x\" is given to both edit and add; keep one"
    );
    assert_eq!(
        patch_error("[home]\nfilter = 3\n"),
        "/home/me/.config/debrief/keymap.toml, line 2: [home] filter must be a list of keys, like filter = [\"a\", \"ctrl-a\"]"
    );
    assert!(patch_error("quit = [\"q\"]\n").contains("line 1: \"quit\" is outside any section; put it under [global]"));
    let syntax = patch_error("[home\n");
    assert!(
        syntax.starts_with("/home/me/.config/debrief/keymap.toml is not valid TOML: "),
        "{syntax}"
    );
    assert!(syntax.contains("line 1"), "{syntax}");
}

#[test]
fn a_key_map_cannot_take_away_the_way_out() {
    // Issue #12, defect 13: `quit = []` and `back = []` left no key that leaves the console.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("keymap.toml");
    std::fs::write(&file, "[global]\nquit = []\nback = []\n").unwrap();
    let err = KeyMap::load_file(&file).unwrap_err().to_string();
    assert_eq!(
        err,
        format!(
            "{}, line 2: [global] quit = [] would leave no way out of the console; \
             give quit a key, or leave the line out (ctrl-c always quits)",
            file.display()
        )
    );
    assert!(patch_error("[popup]\nquit = []\n").contains("line 2: [popup] quit = []"));
    assert!(patch_error("[timeline]\nquit = []\n").contains("line 2: [timeline] quit = []"));
    // Ctrl-C cannot be given to anything else, in any section.
    assert_eq!(
        patch_error("[global]\nback = [\"q\", \"ctrl-c\"]\n"),
        "/home/me/.config/debrief/keymap.toml, line 2: [global] back = \"ctrl-c\": \
         ctrl-c always quits and cannot be given to back"
    );
    assert!(patch_error("[timeline]\nadd = [\"ctrl-c\"]\n").contains("cannot be given to add"));
    assert!(patch_error("[popup]\nback = [\"ctrl-c\"]\n").contains("cannot be given to back"));
    // Quit moved to another key keeps ctrl-c as well; back may be unbound.
    let map = KeyMap::from_toml_patch("[global]\nquit = [\"f10\"]\nback = []\n[popup]\nquit = [\"f10\"]\n").unwrap();
    let ctrl_c = press(KeyCode::Char('c'), KeyModifiers::CONTROL);
    for &ctx in Context::ALL {
        assert_eq!(map.command(ctx, &ctrl_c), Some(Command::Quit), "{ctx:?}");
    }
    assert_eq!(
        map.command(Context::Timeline, &press(KeyCode::F(10), KeyModifiers::NONE)),
        Some(Command::Quit)
    );
}

#[test]
fn files_load_or_fail_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("keymap.toml");
    assert_eq!(KeyMap::load_file(&missing).unwrap(), KeyMap::default_map());

    std::fs::write(&missing, "[home]\ninsights = [\"i\"]\n").unwrap();
    let map = KeyMap::load_file(&missing).unwrap();
    assert_eq!(map.command(Context::Home, &char('i')), Some(Command::Insights));

    std::fs::write(&missing, "[home]\ninsights = [\"ctrl+i\"]\n").unwrap();
    let err = KeyMap::load_file(&missing).unwrap_err().to_string();
    assert!(err.starts_with(&format!("{}, line 2:", missing.display())), "{err}");

    let err = KeyMap::load_file(dir.path()).unwrap_err().to_string();
    assert!(
        err.starts_with(&format!("cannot read the key map {}", dir.path().display())),
        "{err}"
    );
}

fn dir_with(pairs: &[(&str, &str)]) -> Option<PathBuf> {
    config_dir_with(|name| pairs.iter().find(|(k, _)| *k == name).map(|(_, v)| OsString::from(v)))
}

#[test]
fn config_dir_order() {
    let all = [
        ("DEBRIEF_CONFIG", "/etc/dbf"),
        ("XDG_CONFIG_HOME", "/x"),
        ("HOME", "/h"),
    ];
    assert_eq!(dir_with(&all), Some(PathBuf::from("/etc/dbf")));
    let xdg = [("DEBRIEF_CONFIG", ""), ("XDG_CONFIG_HOME", "/x"), ("HOME", "/h")];
    assert_eq!(dir_with(&xdg), Some(PathBuf::from("/x/debrief")));
    let relative = [("XDG_CONFIG_HOME", "rel"), ("HOME", "/h")];
    assert_eq!(dir_with(&relative), Some(PathBuf::from("/h/.config/debrief")));
}

#[test]
fn markdown_reference_lists_every_context() {
    let md = KeyMap::default_map().markdown_reference();
    for &ctx in Context::ALL {
        assert!(
            md.contains(&format!("### {} (`[{}]`)", ctx.title(), ctx.name())),
            "{ctx:?}"
        );
    }
    assert!(md.contains("| `a` | `add` | quick-add an event |"), "{md}");
    assert!(md.contains("| `S-Tab` | `prev_pane` | previous pane |"), "{md}");
    assert!(md.contains("| `?`, `F1` | `help` | show this help |"), "{md}");
    let piped = KeyMap::from_toml_patch("[global]\nexport = [\"|\"]").unwrap();
    assert!(piped.markdown_reference().contains("| `\\|` | `export` |"));
}

#[test]
fn the_meeting_agenda_is_a_layer_under_the_pane() {
    let map = KeyMap::default_map();
    let agenda = Some(Context::Agenda);
    let t = Context::Timeline;
    assert_eq!(map.command_with_layer(t, agenda, &char(']')), Some(Command::NextStep));
    assert_eq!(
        map.command_with_layer(t, agenda, &char('a')),
        Some(Command::Add),
        "the pane's own first"
    );
    assert_eq!(
        map.command_with_layer(t, agenda, &char('q')),
        Some(Command::Back),
        "then global"
    );
    assert_eq!(
        map.command_with_layer(t, None, &char(']')),
        None,
        "only in meeting mode"
    );
    let space = char(' ');
    assert_eq!(
        map.command_with_layer(Context::Meeting, agenda, &space),
        Some(Command::TogglePresent)
    );
    assert_eq!(
        map.command_with_layer(Context::WrapUp, agenda, &press(KeyCode::Enter, KeyModifiers::NONE)),
        Some(Command::EndMeeting)
    );
}

#[test]
fn no_default_agenda_key_is_hidden_by_a_review_context() {
    let map = KeyMap::default_map();
    let all = map.layer_bindings(Context::Agenda, Context::Agenda);
    for ctx in [
        Context::Timeline,
        Context::Causes,
        Context::Actions,
        Context::Meeting,
        Context::WrapUp,
    ] {
        assert_eq!(map.layer_bindings(ctx, Context::Agenda), all, "{ctx:?}");
    }
    let shadowed = KeyMap::from_toml_patch("[timeline]\nadd = [\"]\"]").unwrap();
    let in_timeline = shadowed.layer_bindings(Context::Timeline, Context::Agenda);
    assert!(
        in_timeline.iter().all(|b| b.command != Command::NextStep),
        "{in_timeline:?}"
    );
}

#[test]
fn popups_have_sections_of_their_own() {
    let map = KeyMap::default_map();
    let esc = press(KeyCode::Esc, KeyModifiers::NONE);
    let enter = press(KeyCode::Enter, KeyModifiers::NONE);
    assert_eq!(map.command(Context::Confirm, &char('y')), Some(Command::Yes));
    assert_eq!(map.command(Context::Confirm, &char('N')), Some(Command::No));
    assert_eq!(map.command(Context::Confirm, &esc), Some(Command::No));
    assert_eq!(
        map.command(Context::Confirm, &char('q')),
        None,
        "no [global] in a popup"
    );
    assert_eq!(map.command(Context::Menu, &char('k')), Some(Command::Up));
    assert_eq!(map.command(Context::Menu, &char(' ')), Some(Command::Toggle));
    assert_eq!(
        map.command(Context::Form, &press(KeyCode::Char('u'), KeyModifiers::CONTROL)),
        Some(Command::DeleteLineStart)
    );
    assert_eq!(map.command(Context::Conflict, &char('m')), Some(Command::KeepMine));
    assert_eq!(map.command(Context::Conflict, &esc), Some(Command::KeepTheirs));
    assert_eq!(map.command(Context::Conflict, &char('e')), Some(Command::EditMine));
    assert_eq!(map.command(Context::ImportPreview, &enter), Some(Command::Yes));
    assert_eq!(map.command(Context::ImportPreview, &char('n')), Some(Command::No));
    // What the popups print: case twins left out.
    assert_eq!(map.label(Context::Confirm, Command::No).as_deref(), Some("n / Esc"));
    assert_eq!(map.label(Context::Confirm, Command::Yes).as_deref(), Some("y"));
    let unbound = KeyMap::from_toml_patch("[confirm]\nyes = []\n").unwrap();
    assert_eq!(unbound.label(Context::Confirm, Command::Yes), None);
}
