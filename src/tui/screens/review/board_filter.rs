//! Narrowing one incident's action board: `o` to one owner, `/` to words, a status and overdue
//! only. Owner, status and overdue mean what they mean across incidents (`A`), through the same
//! `store::ActionFilter` and forms; the filter lives with the open review and is never stored.

use crate::model::Action;
use crate::store::ActionFilter;
use crate::tui::effect::Ctx;
use crate::tui::keymap::command::Command;
use crate::tui::screens::all_actions::{chosen_status, distinct_names, owner_field, resolve_owner, status_fields};
use crate::tui::screens::review::ReviewState;
use crate::tui::screens::review::forms::ReviewForm;
use crate::tui::widgets::form::{Field, Form};
use chrono::NaiveDate;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BoardFilter {
    /// Whose actions, matched without regard to case; `None` is everyone's.
    pub owner: Option<String>,
    /// Each word must appear in the title, the owner or the ticket, without regard to case.
    pub words: String,
    /// One of [`crate::tui::screens::all_actions::STATUS_CHOICES`]; "all" leaves the statuses alone.
    pub statuses: &'static str,
    /// Only what is overdue on this day: the day the filter was set, so a reload needs no clock.
    pub overdue_on: Option<NaiveDate>,
}

impl Default for BoardFilter {
    fn default() -> BoardFilter {
        BoardFilter {
            owner: None,
            words: String::new(),
            statuses: "all",
            overdue_on: None,
        }
    }
}

impl BoardFilter {
    pub fn is_active(&self) -> bool {
        *self != BoardFilter::default()
    }

    fn store_filter(&self) -> ActionFilter {
        ActionFilter {
            owner: self.owner.clone(),
            statuses: crate::tui::screens::all_actions::statuses_of(self.statuses),
            overdue_on: self.overdue_on,
            incident_id: None,
        }
    }

    pub fn matches(&self, a: &Action) -> bool {
        self.store_filter().matches(a) && self.words_match(a)
    }

    /// The actions that pass, in their order.
    pub fn apply(&self, actions: &[Action]) -> Vec<Action> {
        let filter = self.store_filter();
        actions
            .iter()
            .filter(|a| filter.matches(a) && self.words_match(a))
            .cloned()
            .collect()
    }

    fn words_match(&self, a: &Action) -> bool {
        // One line per field, so that a word cannot match across two of them.
        let text = format!("{}\n{}\n{}", a.title, a.owner, a.ticket).to_lowercase();
        self.words.split_whitespace().all(|w| text.contains(&w.to_lowercase()))
    }

    /// What the board is narrowed to, for its title: `owner: Dana · "retry" · open · overdue only`.
    pub fn label(&self) -> Option<String> {
        let mut parts = Vec::new();
        if let Some(o) = &self.owner {
            parts.push(format!("owner: {o}"));
        }
        if !self.words.is_empty() {
            parts.push(format!("\"{}\"", self.words));
        }
        if self.statuses != "all" {
            parts.push(self.statuses.to_string());
        }
        if self.overdue_on.is_some() {
            parts.push("overdue only".to_string());
        }
        (!parts.is_empty()).then(|| parts.join(" · "))
    }
}

/// The names an owner can be picked from on this board: its participants and its actions' owners.
fn board_owners(r: &ReviewState) -> Vec<String> {
    let participants = r.participants.iter().map(|p| p.name.as_str());
    distinct_names(participants.chain(r.actions.iter().map(|a| a.owner.as_str())))
}

impl ReviewState {
    /// `o` and `/` on the action board: the forms, filled in with the filter as it is.
    pub fn board_filter_form(&self, key: Command) -> Form<ReviewForm> {
        let f = &self.board_filter;
        if key == Command::OwnerFilter {
            let owners = board_owners(self);
            let current = f.owner.clone().unwrap_or_default();
            Form::new(
                "Whose actions on this board?",
                ReviewForm::BoardOwner,
                vec![owner_field(&current, &owners)],
            )
        } else {
            let [status, overdue] = status_fields(f.statuses, f.overdue_on.is_some());
            let words = Field::line("Words", &f.words)
                .with_hint("in the title, owner or ticket · empty + all + no shows the whole board");
            Form::new(
                "Filter the board",
                ReviewForm::BoardFilter,
                vec![words, status, overdue],
            )
        }
    }

    /// The owner form: who, resolved against the participants and owners of this board.
    pub fn apply_board_owner<P>(&mut self, form: &Form<P>, ctx: &Ctx) -> Result<(), String> {
        let owners = board_owners(self);
        let owner = resolve_owner(&form.value("Owner"), &owners, ctx.store.author())?
            // "me" in the spelling the board uses, when the author is one of its owners.
            .map(|o| {
                owners
                    .iter()
                    .find(|k| k.to_lowercase() == o.to_lowercase())
                    .cloned()
                    .unwrap_or(o)
            });
        self.change_board_filter(ctx, |f, _| f.owner = owner);
        Ok(())
    }

    pub fn apply_board_filter<P>(&mut self, form: &Form<P>, ctx: &Ctx) -> Result<(), String> {
        let words = form.value("Words").split_whitespace().collect::<Vec<_>>().join(" ");
        let (statuses, overdue) = chosen_status(form, "all");
        self.change_board_filter(ctx, |f, today| {
            f.words = words;
            f.statuses = statuses;
            f.overdue_on = overdue.then_some(today);
        });
        Ok(())
    }

    fn change_board_filter(&mut self, ctx: &Ctx, change: impl FnOnce(&mut BoardFilter, NaiveDate)) {
        let mut filter = self.board_filter.clone();
        change(&mut filter, ctx.today());
        self.set_board_filter(filter);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{ActionKind, ActionStatus};
    use crate::tui::screens::all_actions::STATUS_CHOICES;

    fn action(title: &str, owner: &str, ticket: &str, status: ActionStatus, due: Option<(u32, u32)>) -> Action {
        Action {
            id: 0,
            incident_id: 1,
            title: title.into(),
            details: "the details are not searched".into(),
            kind: ActionKind::Fix,
            status,
            owner: owner.into(),
            owner_role: None,
            due: due.map(|(m, d)| NaiveDate::from_ymd_opt(2026, m, d).unwrap()),
            cause_id: None,
            ticket: ticket.into(),
            priority: 0,
            reason: String::new(),
            version: 1,
        }
    }

    fn board() -> Vec<Action> {
        use ActionStatus::*;
        vec![
            action(
                "Retry budget in checkout",
                "Lena Fischer",
                "PAY-12",
                Todo,
                Some((12, 3)),
            ),
            action(
                "Alert on pool saturation",
                "Tomasz Nowak",
                "OPS-7",
                Doing,
                Some((11, 28)),
            ),
            action("Status page subscription", "Aylin Demir", "", Done, Some((11, 25))),
            action("Cap DB connections", "lena fischer", "", Todo, None),
            action("Nobody's yet", "", "PAY-30", Todo, None),
        ]
    }

    fn titles(f: &BoardFilter) -> Vec<String> {
        f.apply(&board()).into_iter().map(|a| a.title).collect()
    }

    #[test]
    fn the_default_filter_shows_everything_and_says_nothing() {
        let f = BoardFilter::default();
        assert!(!f.is_active());
        assert_eq!(f.label(), None);
        assert_eq!(titles(&f).len(), 5);
    }

    #[test]
    fn owner_matches_without_regard_to_case_or_spaces() {
        let f = BoardFilter {
            owner: Some(" LENA fischer".into()),
            ..Default::default()
        };
        assert_eq!(titles(&f), ["Retry budget in checkout", "Cap DB connections"]);
    }

    #[test]
    fn every_word_must_appear_in_the_title_owner_or_ticket() {
        let words = |w: &str| BoardFilter {
            words: w.into(),
            ..Default::default()
        };
        assert_eq!(
            titles(&words("pay")),
            ["Retry budget in checkout", "Nobody's yet"],
            "tickets"
        );
        assert_eq!(titles(&words("TOMASZ")), ["Alert on pool saturation"], "owners");
        assert_eq!(
            titles(&words("lena cap")),
            ["Cap DB connections"],
            "all words, any field"
        );
        assert!(titles(&words("details")).is_empty(), "details are not searched");
        assert!(titles(&words("fischer pay-12 retry")).len() == 1);
        // A word does not match across the end of one field and the start of the next.
        assert!(titles(&words("checkoutlena")).is_empty());
        assert_eq!(words("pay").label().as_deref(), Some("\"pay\""));
    }

    #[test]
    fn statuses_and_overdue_mean_what_they_mean_across_incidents() {
        let on = |statuses, overdue: Option<(u32, u32)>| BoardFilter {
            statuses,
            overdue_on: overdue.map(|(m, d)| NaiveDate::from_ymd_opt(2026, m, d).unwrap()),
            ..Default::default()
        };
        assert_eq!(titles(&on("open", None)).len(), 4, "todo and doing");
        assert_eq!(titles(&on("done", None)), ["Status page subscription"]);
        assert_eq!(titles(&on("doing", None)), ["Alert on pool saturation"]);
        // On 12-02, 11-28 is past; 12-03 is not, the done one never is, undated ones never are.
        assert_eq!(titles(&on("all", Some((12, 2)))), ["Alert on pool saturation"]);
        assert!(titles(&on("todo", Some((12, 2)))).is_empty());
        assert_eq!(titles(&on("todo", Some((12, 4)))), ["Retry budget in checkout"]);
        assert_eq!(
            on("open", Some((12, 2))).label().as_deref(),
            Some("open · overdue only")
        );
        for choice in STATUS_CHOICES {
            assert_eq!(on(choice, None).is_active(), choice != "all");
        }
    }

    #[test]
    fn filters_combine() {
        let f = BoardFilter {
            owner: Some("Lena Fischer".into()),
            words: "retry".into(),
            statuses: "open",
            overdue_on: None,
        };
        assert_eq!(titles(&f), ["Retry budget in checkout"]);
        assert_eq!(f.label().as_deref(), Some("owner: Lena Fischer · \"retry\" · open"));
    }
}
