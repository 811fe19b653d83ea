//! What a key asks for. Keys map to these, never to side effects: `App::update(command)`
//! decides what a command means in the current state.

use crate::tui::keymap::Context;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// Declares the commands once, with their stable name (used in keymap.toml) and the short
/// description shown in the key-hint bar, so that the three can never drift apart.
macro_rules! commands {
    ($($(#[$m:meta])* $variant:ident => $name:literal, $short:literal;)+) => {
        /// Something the user asked for with a key.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum Command { $($(#[$m])* $variant),+ }

        impl Command {
            /// Every command, in the order hints and help list them.
            pub const ALL: &'static [Command] = &[$(Command::$variant),+];

            /// The stable snake_case name used in keymap.toml (the serde name).
            pub fn name(self) -> &'static str {
                match self { $(Command::$variant => $name),+ }
            }

            /// A short description for the key-hint bar: "add", "next match".
            pub fn description(self) -> &'static str {
                match self { $(Command::$variant => $short),+ }
            }
        }
    };
}

commands! {
    /// Leave the program at once (ctrl-c).
    Quit => "quit", "quit";
    /// Go back one level; on the home screen this quits.
    Back => "back", "back";
    Help => "help", "help";
    NextPane => "next_pane", "next pane";
    PrevPane => "prev_pane", "previous pane";
    FocusTimeline => "focus_timeline", "timeline";
    FocusCauses => "focus_causes", "causes";
    FocusActions => "focus_actions", "actions";
    Zoom => "zoom", "zoom";
    Up => "up", "up";
    Down => "down", "down";
    /// Selection one column left (action board).
    Left => "left", "left";
    /// Selection one column right (action board).
    Right => "right", "right";
    PageUp => "page_up", "page up";
    PageDown => "page_down", "page down";
    Top => "top", "top";
    Bottom => "bottom", "bottom";
    Select => "select", "open";
    Add => "add", "add";
    Edit => "edit", "edit";
    /// Asks for confirmation before anything is deleted.
    Delete => "delete", "delete";
    SetMilestone => "set_milestone", "milestone";
    Filter => "filter", "filter";
    SearchNext => "search_next", "next match";
    SearchPrev => "search_prev", "prev match";
    NewIncident => "new_incident", "new incident";
    LoadDemo => "load_demo", "demo";
    /// Archive the incident (or bring an archived one back).
    Archive => "archive", "archive";
    /// Show the archived incidents too, or hide them again.
    ShowArchived => "show_archived", "archived";
    Insights => "insights", "insights";
    CauseSuspected => "cause_suspected", "suspected";
    CauseConfirmed => "cause_confirmed", "confirmed";
    CauseRuledOut => "cause_ruled_out", "ruled out";
    CauseUnexamined => "cause_unexamined", "unexamined";
    /// Confirmed, and its risk accepted with a reason (asks for it).
    CauseAcceptedRisk => "cause_accepted_risk", "accept risk";
    LinkEvidence => "link_evidence", "link evidence";
    /// Mark the selected event as a key event of the story, or unmark it.
    ToggleKey => "toggle_key", "key event";
    /// The curated timeline: key events, milestones and typed events, each import folded.
    Curated => "curated", "curated";
    /// Move the selected card one status back (doing → todo).
    MoveLeft => "move_left", "move left";
    /// Move the selected card one status on (todo → doing).
    MoveRight => "move_right", "move right";
    OwnerFilter => "owner_filter", "owner";
    CycleZone => "cycle_zone", "zone";
    Meeting => "meeting", "meeting";
    Export => "export", "export";
    /// Read events from a file into the timeline, after a preview.
    Import => "import", "import";
    /// From an import opened in the curated view back to the curated view.
    CloseImport => "close_import", "curated";
    History => "history", "history";
    /// The action board across all incidents: "what do I owe".
    CrossActions => "cross_actions", "all actions";
    Theme => "theme", "theme";
    Refresh => "refresh", "redraw";
    /// Title, severity, status, zone, root cause, trigger, summary and impact.
    EditIncident => "edit_incident", "incident";
    /// The narrative: what went well or wrong, luck, impact, contributing factors, decisions.
    Narrative => "narrative", "narrative";
    /// Mark the event internal (left out for outsiders, hidden from observers) or shared.
    ToggleInternal => "toggle_internal", "internal";
    /// Meeting mode: the next agenda step (the time so far stays with the step left).
    NextStep => "next_step", "next step";
    PrevStep => "prev_step", "prev step";
    /// Meeting mode: attendance, the working agreement and the decisions.
    FocusMeeting => "focus_meeting", "notes";
    /// The meeting's working agreement (agenda step 2).
    Agreement => "agreement", "agreement";
    /// The meeting's decisions, at any step.
    Decisions => "decisions", "decisions";
    /// Mark the selected participant present or absent.
    TogglePresent => "toggle_present", "present";
    /// Records the meeting's end (asks first).
    EndMeeting => "end_meeting", "end meeting";
    /// A question's "yes"; the import preview's "import".
    Yes => "yes", "yes";
    /// A question's "no"; the import preview's "back to the form".
    No => "no", "no";
    /// An edit conflict: save mine over theirs.
    KeepMine => "keep_mine", "keep mine";
    /// An edit conflict: keep theirs, discard mine.
    KeepTheirs => "keep_theirs", "keep theirs";
    /// An edit conflict: back to my form, to save over theirs later.
    EditMine => "edit_mine", "edit mine";
    /// A checklist menu (evidence): check or uncheck the selected item.
    Toggle => "toggle", "check";
    /// Takes back this console's last deletion or change.
    Undo => "undo", "undo";
    /// A form: save it from any field (Enter in a multi-line field is a new line).
    Save => "save", "save";
    /// A text field: the cursor to the start of the line.
    LineStart => "line_start", "line start";
    /// A text field: the cursor to the end of the line.
    LineEnd => "line_end", "line end";
    /// A text field: erase from the cursor back to the start of the line (readline's ctrl-u).
    DeleteLineStart => "delete_line_start", "erase to start";
    /// A text field: erase from the cursor to the end of the line (readline's ctrl-k).
    DeleteLineEnd => "delete_line_end", "erase to end";
    /// A text field: erase the word before the cursor (readline's ctrl-w).
    DeleteWordBack => "delete_word_back", "erase word";
}

impl Command {
    /// Moves the cursor in a text field or erases some of its text ([form]).
    pub fn edits_text(self) -> bool {
        use Command::*;
        matches!(
            self,
            LineStart | LineEnd | DeleteLineStart | DeleteLineEnd | DeleteWordBack
        )
    }

    /// Moving around rather than changing anything; the help overlay lists these apart.
    pub fn is_navigation(self) -> bool {
        use Command::*;
        matches!(
            self,
            NextPane
                | PrevPane
                | FocusTimeline
                | FocusCauses
                | FocusActions
                | FocusMeeting
                | Zoom
                | Up
                | Down
                | Left
                | Right
                | PageUp
                | PageDown
                | Top
                | Bottom
                | Select
        )
    }

    /// Changes the record: refused at once, with the reason, when the session can no longer save
    /// (its database file was deleted or replaced). The store refuses such writes too; this
    /// only spares the user a form they could not save.
    pub fn writes(self) -> bool {
        use Command::*;
        matches!(
            self,
            Add | Edit
                | Delete
                | SetMilestone
                | NewIncident
                | LoadDemo
                | Archive
                | CauseSuspected
                | CauseConfirmed
                | CauseRuledOut
                | CauseUnexamined
                | CauseAcceptedRisk
                | LinkEvidence
                | ToggleKey
                | MoveLeft
                | MoveRight
                | Meeting
                | Import
                | EditIncident
                | Narrative
                | ToggleInternal
                | NextStep
                | PrevStep
                | Agreement
                | Decisions
                | TogglePresent
                | EndMeeting
                | Undo
        )
    }

    /// The hint-bar word, where the context changes what the action means.
    pub fn short_in(self, ctx: Context) -> &'static str {
        match (self, ctx) {
            (Command::Back, Context::Home | Context::Welcome) => "quit",
            (Command::Back, Context::Popup) => "close",
            (Command::Select, Context::Popup) => "confirm",
            (Command::Select, Context::Menu) => "choose",
            (Command::Select, Context::Conflict) => "save",
            (Command::Toggle, Context::Conflict) => "mine/theirs",
            (Command::KeepMine, Context::Conflict) => "all mine",
            (Command::KeepTheirs, Context::Conflict) => "all theirs",
            (Command::EditMine, Context::Conflict) => "edit again",
            (Command::Back, Context::Menu) => "cancel",
            (Command::Yes, Context::ImportPreview) => "import",
            (Command::No, Context::ImportPreview) => "back",
            (Command::Filter, Context::Insights) => "dates",
            (action, _) => action.description(),
        }
    }

    /// The longer description the help overlay shows, worded for the context it is used in.
    pub fn description_in(self, ctx: Context) -> &'static str {
        use Command::*;
        use Context as C;
        if let Some(text) = self.popup_description(ctx).or_else(|| self.item_description(ctx)) {
            return text;
        }
        match (self, ctx) {
            (Quit, _) => "quit now",
            (Back, C::Home | C::Welcome) => "quit",
            (Back, C::Global) => "go back; quit from the incident list",
            (Back, C::Cross | C::Insights) => "back to where you were",
            (Back, _) => "back to the incident list",
            (Help, _) => "show this help",
            (FocusTimeline, _) => "go to the timeline",
            (FocusCauses, _) => "go to the cause checklist",
            (FocusActions, _) => "go to the action board",
            (Zoom, _) => "zoom the pane in or out",
            (Left, _) => "column to the left",
            (Right, _) => "column to the right",
            (Top, _) => "first item",
            (Bottom, _) => "last item",
            (SearchNext, _) => "next search match",
            (SearchPrev, _) => "previous search match",
            (NewIncident, _) => "open a new incident",
            (LoadDemo, _) => "load the demo incident",
            (Archive, _) => "archive the incident (hidden from the list and the statistics), or bring it back",
            (ShowArchived, _) => "show the archived incidents too, or hide them",
            (Insights, _) => "insights across incidents",
            (CauseSuspected, _) => "mark the cause suspected",
            (CauseConfirmed, _) => "mark the cause confirmed",
            (CauseRuledOut, _) => "mark the cause ruled out",
            (CauseUnexamined, _) => "mark the cause unexamined",
            (CauseAcceptedRisk, _) => "confirmed, its risk accepted: needs no fix (asks why)",
            (LinkEvidence, _) => "link timeline events as evidence",
            (ToggleKey, _) => "mark or unmark as a key event",
            (CloseImport, _) => "back from an import to the curated view",
            (Curated, _) => "curated view: key events, imports folded",
            (MoveLeft, _) => "move the card back (doing → todo)",
            (MoveRight, _) => "move the card on (todo → doing)",
            (OwnerFilter, C::Cross) => "whose actions: a name, or everyone",
            (OwnerFilter, _) => "show one owner's actions (empty: everyone's)",
            (CycleZone, _) => "cycle the time zone shown",
            (Meeting, _) => "meeting agenda (or a follow-up)",
            (Export, _) => "export the review",
            (Import, _) => "import events from a file (preview first)",
            (History, _) => "change history",
            (CrossActions, _) => "actions across all incidents",
            (Theme, _) => "cycle the colour theme",
            (Refresh, _) => "reload and redraw the screen",
            (EditIncident, _) => "edit the incident: root cause, trigger, status…",
            (Narrative, _) => "narrative: lessons, impact, factors, decisions",
            (ToggleInternal, _) => "mark internal (kept from outsiders) or shared",
            (NextStep, _) => "next agenda step (the step's time is kept)",
            (PrevStep, _) => "previous agenda step",
            (FocusMeeting, _) => "go to attendance, agreement and decisions",
            (Agreement, _) => "write the working agreement",
            (Decisions, _) => "note the meeting's decisions",
            (TogglePresent, _) => "mark the participant present or absent",
            (EndMeeting, _) => "end the meeting, recording its end (asks first)",
            (action, _) => action.description(),
        }
    }
}

impl Command {
    /// [`Command::description_in`] for what acts on a list's items (open, add, edit, delete,
    /// filter), worded for the pane.
    fn item_description(self, ctx: Context) -> Option<&'static str> {
        use Command::*;
        use Context as C;
        Some(match (self, ctx) {
            (Select, C::Home) => "open the incident",
            (Select, C::Meeting) => "edit the participant's name and role",
            (Select, C::Cross) => "open the incident at this action",
            (Select, _) => "open the selected item",
            (Add, C::Timeline) => "quick-add an event",
            (Add, C::Causes) => "add a custom cause",
            (Add, C::Actions) => "add an action",
            (Add, C::Meeting) => "add a participant",
            (Edit, C::Timeline) => "edit the event",
            (Edit, C::Causes) => "edit the cause's notes",
            (Edit, C::Actions) => "edit the action",
            (Edit, C::Meeting) => "edit the participant's name and role",
            (Delete, C::Timeline) => "delete the event (asks first)",
            (Delete, C::Causes) => "delete a custom cause (asks first)",
            (Delete, C::Actions) => "delete the action (asks first)",
            (Delete, C::Meeting) => "remove the participant (asks first)",
            (Delete, C::Home) => "delete the incident and everything in it (asks first)",
            (Delete, _) => "delete (asks first)",
            (SetMilestone, _) => "mark the event as a milestone",
            (Filter, C::Timeline) => "search the events",
            (Filter, C::Home) => "filter the incidents",
            (Filter, C::Actions) => "filter by words, status, or overdue only",
            (Filter, C::Cross) => "filter by status, or overdue only",
            (Filter, C::Insights) => "choose the date range",
            (Filter, _) => "filter the list",
            _ => return None,
        })
    }
}

impl Command {
    /// [`Command::description_in`] for the popups' commands and sections.
    fn popup_description(self, ctx: Context) -> Option<&'static str> {
        use Command::*;
        use Context as C;
        Some(match (self, ctx) {
            (Back, C::Popup) => "close",
            (Back, C::Menu) => "close the menu, choosing nothing",
            (NextPane, C::Popup) => "next field",
            (PrevPane, C::Popup) => "previous field",
            (Select, C::Popup) => "confirm",
            (Select, C::Menu) => "choose the selected item; in a checklist, save the checks",
            (Yes, C::ImportPreview) => "import what the preview shows",
            (Yes, _) => "yes: do it",
            (No, C::ImportPreview) => "back to the form (nothing imported)",
            (No, _) => "no: leave everything as it is",
            (KeepMine, _) => "mine in every field both changed, and save",
            (KeepTheirs, _) => "theirs where both changed (meeting items: asks first)",
            (EditMine, _) => "edit mine again, on what is saved now (nothing saved until I save)",
            (Select, C::Conflict) => "save, with the side chosen for each field",
            (Up, C::Conflict) => "the field above",
            (Down, C::Conflict) => "the field below",
            (Toggle, C::Conflict) => "choose mine or theirs for the selected field",
            (Save, _) => "save the form, from any field",
            (Undo, _) => "undo my last delete or change",
            (Toggle, _) => "check or uncheck the item (a checklist)",
            (LineStart, _) => "cursor to the start of the line",
            (LineEnd, _) => "cursor to the end of the line",
            (DeleteLineStart, _) => "erase from the cursor back to the line's start",
            (DeleteLineEnd, _) => "erase from the cursor to the line's end",
            (DeleteWordBack, _) => "erase the word before the cursor",
            _ => return None,
        })
    }
}

impl fmt::Display for Command {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A name in keymap.toml that is not a command.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown command \"{given}\"{}", suggestion.map(|s| format!(" (did you mean \"{s}\"?)")).unwrap_or_default())]
pub struct UnknownCommand {
    pub given: String,
    pub suggestion: Option<&'static str>,
}

impl FromStr for Command {
    type Err = UnknownCommand;

    fn from_str(s: &str) -> Result<Command, UnknownCommand> {
        let wanted = s.trim().to_ascii_lowercase().replace('-', "_");
        if let Some(action) = Command::ALL.iter().find(|a| a.name() == wanted) {
            return Ok(*action);
        }
        let suggestion = Command::ALL
            .iter()
            .map(|a| (edit_distance(&wanted, a.name()), a.name()))
            .filter(|(d, _)| *d <= 2)
            .min()
            .map(|(_, name)| name);
        Err(UnknownCommand {
            given: s.to_string(),
            suggestion,
        })
    }
}

/// Levenshtein distance; the names are short, so the quadratic table is fine.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = (above + 1).min(row[j] + 1).min(diagonal + usize::from(ca != *cb));
            diagonal = above;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_match_serde_and_parse_back() {
        for action in Command::ALL {
            let serde_name = toml::Value::try_from(action).unwrap();
            assert_eq!(serde_name.as_str(), Some(action.name()));
            assert_eq!(action.name().parse::<Command>(), Ok(*action));
        }
    }

    #[test]
    fn every_action_is_described_in_every_context() {
        for action in Command::ALL {
            assert!(!action.description().is_empty(), "{action}");
            assert!(action.description().len() <= 14, "{action}: keep hints short");
            for ctx in Context::ALL {
                assert!(!action.description_in(*ctx).is_empty(), "{action} in {ctx:?}");
            }
        }
    }

    #[test]
    fn unknown_name_suggests_the_closest() {
        let err = "ad".parse::<Command>().unwrap_err();
        assert_eq!(err.to_string(), "unknown command \"ad\" (did you mean \"add\"?)");
        let err = "frobnicate".parse::<Command>().unwrap_err();
        assert_eq!(err.to_string(), "unknown command \"frobnicate\"");
        assert_eq!("Search-Next".parse::<Command>(), Ok(Command::SearchNext));
    }
}
