//! What a session may do, by the role and scope of the key it joined with. The console asks
//! before it runs a command (`App::refuse`); a refused command changes nothing and says why.

use crate::store::access::AccessRole;
use crate::tui::keymap::Context;
use crate::tui::keymap::command::Command;

/// Why `command`, pressed in `ctx`, is refused to a session of this role and scope; None when
/// it may run.
pub fn refusal(role: AccessRole, scope: Option<i64>, command: Command, ctx: Context) -> Option<String> {
    use Command::*;
    if matches!(command, Import | Export) {
        return Some("Import and export are off over SSH: a session never reads or writes the server's files".into());
    }
    if let Some(id) = scope
        && matches!(command, CrossActions | Insights | NewIncident | LoadDemo)
    {
        return Some(format!("This key sees incident #{id} only"));
    }
    match role {
        AccessRole::Facilitator => None,
        AccessRole::Observer if command.writes() => {
            Some("You joined as an observer: you can look, but not change anything".into())
        }
        AccessRole::Observer => None,
        AccessRole::Participant => match command {
            Delete if matches!(ctx, Context::Home | Context::Welcome) => {
                Some("A participant cannot delete an incident: ask a facilitator".into())
            }
            Archive => Some("A participant cannot archive an incident: ask a facilitator".into()),
            EndMeeting | NextStep | PrevStep => {
                Some("The facilitator runs the meeting: a participant cannot change its step or end it".into())
            }
            _ => None,
        },
    }
}

/// Whether a session of this role sees no internal items (events, decisions): observers may be
/// from outside the team.
pub fn hides_internal(role: AccessRole) -> bool {
    role == AccessRole::Observer
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn observers_write_nothing_and_participants_do_not_delete_incidents() {
        for &command in Command::ALL {
            let observer = refusal(AccessRole::Observer, None, command, Context::Timeline);
            assert_eq!(
                observer.is_some(),
                command.writes() || matches!(command, Command::Export | Command::Import),
                "{command:?}"
            );
        }
        assert!(refusal(AccessRole::Participant, None, Command::Delete, Context::Home).is_some());
        assert!(refusal(AccessRole::Participant, None, Command::Delete, Context::Timeline).is_none());
        assert!(refusal(AccessRole::Participant, None, Command::EndMeeting, Context::Timeline).is_some());
        assert!(refusal(AccessRole::Participant, None, Command::Add, Context::Timeline).is_none());
        assert!(refusal(AccessRole::Facilitator, None, Command::Delete, Context::Home).is_none());
        assert!(refusal(AccessRole::Facilitator, None, Command::Export, Context::Timeline).is_some());
        for command in [
            Command::CrossActions,
            Command::Insights,
            Command::NewIncident,
            Command::LoadDemo,
        ] {
            assert!(refusal(AccessRole::Facilitator, Some(3), command, Context::Timeline).is_some());
            assert!(refusal(AccessRole::Facilitator, None, command, Context::Home).is_none());
        }
    }
}
