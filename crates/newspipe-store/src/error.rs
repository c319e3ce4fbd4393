//! Store errors as decisions: [`StoreError::is_transient`] tells the worker whether to hold the
//! message and retry (the database is restarting, overloaded or lost a race) or dead-letter it
//! (the message itself cannot be stored).

use thiserror::Error;

#[derive(Debug, Error)]
pub enum StoreError {
    #[error(transparent)]
    Db(#[from] sqlx::Error),
    #[error(transparent)]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// A message names a frontier row that does not exist (wrong database, or a bug upstream).
    #[error("url id {0} is not in the frontier")]
    UnknownUrl(i64),
    /// Input the store refuses (e.g. a seed that is not an http(s) URL).
    #[error("invalid input: {0}")]
    Invalid(String),
}

impl StoreError {
    /// Worth retrying with backoff: connection trouble, pool exhaustion, serialization failures,
    /// deadlocks, server shutdown or overload. Everything else (data errors 22*, unexpected
    /// constraint violations 23*, bad input) fails the same way again, so it is permanent.
    pub fn is_transient(&self) -> bool {
        match self {
            Self::Db(e) => sqlx_transient(e),
            Self::Migrate(sqlx::migrate::MigrateError::Execute(e))
            | Self::Migrate(sqlx::migrate::MigrateError::ExecuteMigration(e, _)) => {
                sqlx_transient(e)
            }
            Self::Migrate(_) | Self::UnknownUrl(_) | Self::Invalid(_) => false,
        }
    }

    /// The database named in the URL does not exist (SQLSTATE 3D000).
    pub fn is_missing_database(&self) -> bool {
        self.sqlstate().as_deref() == Some("3D000")
    }

    /// The SQLSTATE, when the error came from the server.
    pub fn sqlstate(&self) -> Option<String> {
        match self {
            Self::Db(e) => e
                .as_database_error()
                .and_then(|d| d.code())
                .map(|c| c.into_owned()),
            _ => None,
        }
    }
}

fn sqlx_transient(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::PoolTimedOut
        | sqlx::Error::WorkerCrashed
        | sqlx::Error::Protocol(_) => true,
        sqlx::Error::Database(db) => db.code().is_some_and(|c| sqlstate_transient(&c)),
        _ => false,
    }
}

/// SQLSTATEs that a retry can cure.
fn sqlstate_transient(code: &str) -> bool {
    matches!(
        code,
        "40001" // serialization_failure
            | "40P01" // deadlock_detected
            | "55P03" // lock_not_available
            | "57P01" // admin_shutdown
            | "57P02" // crash_shutdown
            | "57P03" // cannot_connect_now (starting up / recovering)
            | "25006" // read_only_sql_transaction (failover in progress)
    ) || code.starts_with("08") // connection exceptions
        || code.starts_with("53") // insufficient resources: too many connections, disk full, OOM
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_sqlstates() {
        for c in ["40001", "40P01", "57P01", "08006", "08001", "53300"] {
            assert!(sqlstate_transient(c), "{c}");
        }
        for c in ["22021", "23505", "23503", "42P01", "XX000"] {
            assert!(!sqlstate_transient(c), "{c}");
        }
        assert!(StoreError::Db(sqlx::Error::PoolTimedOut).is_transient());
        assert!(!StoreError::Db(sqlx::Error::RowNotFound).is_transient());
        assert!(!StoreError::UnknownUrl(1).is_transient());
    }
}
