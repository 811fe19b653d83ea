//! What a deletion took away, kept whole so that undo can put it back as it was: the row with
//! every stored column (an event's count, origin, key and internal marks, import key …), the
//! rows the delete removed with it (evidence links), and the links it cleared (an action's
//! cause, the narrative's root cause). Read from the schema's foreign keys, so a column or a
//! table added later is kept too.

use super::{Result, Store, StoreError};
use rusqlite::types::Value;
use rusqlite::{Connection, ErrorCode, params_from_iter};

/// One stored row: its table and every column with its value.
#[derive(Debug, Clone, PartialEq)]
struct Row {
    table: String,
    columns: Vec<(String, Value)>,
}

/// A column another row pointed at the deleted one with, cleared by the delete (`SET NULL`).
#[derive(Debug, Clone, PartialEq)]
struct Link {
    table: String,
    column: String,
    rowid: i64,
}

/// A deleted item as it was stored (see the module's comment).
#[derive(Debug, Clone, PartialEq)]
pub struct Removed {
    /// "event", "cause", "action": for the history.
    entity: String,
    row: Row,
    /// Rows deleted with it, each with the column that pointed at it.
    cascaded: Vec<(Row, String)>,
    cleared: Vec<Link>,
}

/// A foreign key from `table.column` to the deleted row's table, and what a delete does to it.
struct Reference {
    table: String,
    column: String,
    cascade: bool,
}

fn references(conn: &Connection, target: &str) -> Result<Vec<Reference>> {
    let tables: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let mut out = Vec::new();
    for table in tables {
        let mut stmt = conn.prepare("SELECT \"table\", \"from\", on_delete FROM pragma_foreign_key_list(?)")?;
        let rows = stmt.query_map([&table], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?))
        })?;
        for row in rows {
            let (to, column, on_delete) = row?;
            if to == target {
                out.push(Reference {
                    table: table.clone(),
                    column,
                    cascade: on_delete.eq_ignore_ascii_case("CASCADE"),
                });
            }
        }
    }
    Ok(out)
}

fn quoted(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// The rows of `table` where `condition` holds (with `arg`), every column.
fn rows(conn: &Connection, table: &str, condition: &str, arg: i64) -> Result<Vec<Row>> {
    let mut stmt = conn.prepare(&format!("SELECT * FROM {} WHERE {condition}", quoted(table)))?;
    let names: Vec<String> = stmt.column_names().iter().map(|s| s.to_string()).collect();
    let rows = stmt.query_map([arg], |r| {
        let mut columns = Vec::with_capacity(names.len());
        for (i, name) in names.iter().enumerate() {
            columns.push((name.clone(), r.get::<_, Value>(i)?));
        }
        Ok(Row {
            table: table.to_string(),
            columns,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Reads what deleting row `id` of `table` takes away; called in the deleting transaction,
/// before the delete.
pub(crate) fn capture(conn: &Connection, table: &str, entity: &str, id: i64) -> Result<Removed> {
    let row = rows(conn, table, "id = ?", id)?
        .pop()
        .ok_or(StoreError::NotFound { what: "row", id })?;
    let mut cascaded = Vec::new();
    let mut cleared = Vec::new();
    for r in references(conn, table)? {
        let condition = format!("{} = ?", quoted(&r.column));
        if r.cascade {
            cascaded.extend(
                rows(conn, &r.table, &condition, id)?
                    .into_iter()
                    .map(|row| (row, r.column.clone())),
            );
        } else {
            let sql = format!("SELECT rowid FROM {} WHERE {condition}", quoted(&r.table));
            let ids: Vec<i64> = conn
                .prepare(&sql)?
                .query_map([id], |r| r.get(0))?
                .collect::<rusqlite::Result<_>>()?;
            cleared.extend(ids.into_iter().map(|rowid| Link {
                table: r.table.clone(),
                column: r.column.clone(),
                rowid,
            }));
        }
    }
    Ok(Removed {
        entity: entity.to_string(),
        row,
        cascaded,
        cleared,
    })
}

fn insert(conn: &Connection, row: &Row) -> rusqlite::Result<usize> {
    let names: Vec<String> = row.columns.iter().map(|(n, _)| quoted(n)).collect();
    let sql = format!(
        "INSERT INTO {} ({}) VALUES ({})",
        quoted(&row.table),
        names.join(", "),
        vec!["?"; names.len()].join(", ")
    );
    conn.execute(&sql, params_from_iter(row.columns.iter().map(|(_, v)| v)))
}

fn is_constraint(e: &rusqlite::Error) -> bool {
    matches!(e, rusqlite::Error::SqliteFailure(f, _) if f.code == ErrorCode::ConstraintViolation)
}

impl Removed {
    fn value(&self, column: &str) -> Option<&Value> {
        self.row.columns.iter().find(|(n, _)| n == column).map(|(_, v)| v)
    }

    fn id(&self) -> i64 {
        match self.value("id") {
            Some(Value::Integer(id)) => *id,
            _ => 0,
        }
    }

    /// The incident the row belonged to.
    pub fn incident_id(&self) -> Option<i64> {
        match self.value("incident_id") {
            Some(Value::Integer(id)) => Some(*id),
            _ => None,
        }
    }
}

impl Store {
    /// Puts a deleted item back as it was stored, in one transaction: its row by its id (a new
    /// id when another row took it meanwhile), the rows deleted with it whose other ends still
    /// exist, and the links it lost that nobody set otherwise since. Returns its id. When the
    /// item is back already in another form (the same import key, the same custom cause),
    /// nothing is written and the error says so.
    pub fn restore(&self, removed: &Removed) -> Result<i64> {
        self.write(|conn| {
            let incident = removed.incident_id();
            if let Some(incident) = incident {
                self.require_incident(conn, incident)?;
            }
            let before = match incident {
                Some(i) => Some(super::incidents::Ends::of(conn, i)?),
                None => None,
            };
            let id = self.put_back(conn, removed)?;
            for (row, column) in &removed.cascaded {
                let mut row = row.clone();
                for (name, value) in &mut row.columns {
                    if name == column {
                        *value = Value::Integer(id);
                    }
                }
                // A link whose other end was deleted meanwhile has nothing to link.
                match insert(conn, &row) {
                    Ok(_) => {}
                    Err(e) if is_constraint(&e) => {}
                    Err(e) => return Err(e.into()),
                }
            }
            for link in &removed.cleared {
                let sql = format!(
                    "UPDATE {t} SET {c} = ? WHERE rowid = ? AND {c} IS NULL",
                    t = quoted(&link.table),
                    c = quoted(&link.column)
                );
                conn.execute(&sql, [id, link.rowid])?;
            }
            self.record(conn, incident, &removed.entity, id, "restore", "")?;
            if let (Some(i), Some(before)) = (incident, before) {
                self.status_follows_milestones(conn, i, before)?;
            }
            Ok(id)
        })
    }

    /// Inserts the row itself: by its id, or under a new one when the id is taken.
    fn put_back(&self, conn: &Connection, removed: &Removed) -> Result<i64> {
        let mut row = removed.row.clone();
        if let Some(there) = rows(conn, &removed.row.table, "id = ?", removed.id())?.pop() {
            let same = |r: &Row| {
                r.columns
                    .iter()
                    .filter(|(n, _)| n != "version")
                    .cloned()
                    .collect::<Vec<_>>()
            };
            if same(&there) == same(&row) {
                return Err(StoreError::Invalid(format!(
                    "the deleted {} is back already",
                    removed.entity
                )));
            }
            row.columns.retain(|(n, _)| n != "id");
        }
        match insert(conn, &row) {
            Ok(_) => Ok(conn.last_insert_rowid()),
            Err(e) if is_constraint(&e) => Err(StoreError::Invalid(format!(
                "the deleted {} is not restored: one like it was added since ({e})",
                removed.entity
            ))),
            Err(e) => Err(e.into()),
        }
    }
}
