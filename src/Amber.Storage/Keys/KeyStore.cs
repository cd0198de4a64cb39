using System.Globalization;
using Amber.Storage.FileSystem;
using Microsoft.Data.Sqlite;

namespace Amber.Storage.Keys;

/// <summary>
/// <c>keys.db</c> (docs/format/encryption.md §4): one row per conversation holding its data key wrapped (AMWK) or
/// sealed (AMSL), or the fact that it was shredded, one per tenant holding its index key (subject <c>index:TENANT</c>,
/// §6), and the data keys made ahead (subject <c>spare:N</c>, §4.1) until a conversation's first commit takes one and
/// the indexer renames its row to the conversation. Not derived: losing it loses the content. SQLite with
/// <c>secure_delete</c> on and a rollback journal (no WAL), so a destroyed record leaves no copy in free pages or a
/// write-ahead log. The file is created 0600 before SQLite writes its first byte.
/// </summary>
public sealed class KeyStore : IDisposable
{
    public const string FileName = "keys.db";

    /// <summary>The subject prefix of a data key made ahead that no conversation has taken yet (encryption.md §4.1).</summary>
    public const string SparePrefix = "spare:";

    private readonly SqliteConnection connection;
    private readonly Lock gate = new();

    private KeyStore(string path, SqliteConnection connection)
    {
        Path = path;
        this.connection = connection;
    }

    public string Path { get; }

    /// <summary>Opens (creating when <paramref name="create"/>) the store at <paramref name="path"/>.</summary>
    public static KeyStore Open(string path, bool create)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path))
        {
            if (!create)
            {
                throw new KeyProviderException($"{path} is missing: this archive's data keys are gone (restore keys.db from the backup taken with the segments).");
            }

            OwnerOnly.EnsureFile(path);
        }

        var connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWrite,
            Pooling = false,
            DefaultTimeout = 30,
        }.ToString());
        connection.Open();
        var store = new KeyStore(path, connection);
        store.Execute("PRAGMA secure_delete = ON; PRAGMA journal_mode = TRUNCATE; PRAGMA synchronous = FULL;");
        store.Execute("""
            CREATE TABLE IF NOT EXISTS subject_keys (
              subject TEXT PRIMARY KEY,
              tenant  TEXT NOT NULL,
              state   INTEGER NOT NULL,
              record  BLOB,
              changed TEXT NOT NULL,
              reason  TEXT
            ) STRICT;
            CREATE INDEX IF NOT EXISTS subject_keys_locked ON subject_keys(state) WHERE state <> 1;
            CREATE TABLE IF NOT EXISTS counters (
              name  TEXT PRIMARY KEY,
              value INTEGER NOT NULL
            ) STRICT;
            """);
        return store;
    }

    /// <summary>The row of <paramref name="subject"/>, or null when it has none.</summary>
    public KeyRow? Get(string subject)
        => Query($"SELECT {RowColumns} FROM subject_keys WHERE subject = $s", Row, ("$s", subject)).FirstOrDefault();

    /// <summary>The subjects of every sealed or shredded row (the writer keeps them in memory: a rebuilt index no longer holds these conversations).</summary>
    internal IReadOnlyList<string> LockedSubjects()
        => Query("SELECT subject FROM subject_keys WHERE state <> 1", r => r.GetString(0)); // the partial index subject_keys_locked

    /// <summary>The spares a frame of <paramref name="conversation"/> names that could not be filed under it (see <see cref="Adopt"/>): a shred destroys them with its key.</summary>
    internal IReadOnlyList<KeyRow> HeldFor(string conversation)
        => Query($"SELECT {RowColumns} FROM subject_keys WHERE {PrefixRange} AND reason = $h || $c", Row, ("$p", SparePrefix), ("$h", HeldReason), ("$c", conversation));

    /// <summary>Every row of <paramref name="tenant"/> in <paramref name="state"/> (all tenants when null).</summary>
    public IReadOnlyList<KeyRow> List(KeyState state, string? tenant = null)
        => Query($"SELECT {RowColumns} FROM subject_keys WHERE state = $st AND ($t IS NULL OR tenant = $t) ORDER BY subject", Row, ("$st", (long)state), ("$t", tenant));

    /// <summary>Whether any row (of any state) belongs to <paramref name="tenant"/>.</summary>
    public bool HasTenant(string tenant)
    {
        lock (gate)
        {
            using var cmd = connection.CreateCommand();
            cmd.CommandText = "SELECT EXISTS (SELECT 1 FROM subject_keys WHERE tenant = $t)";
            cmd.Parameters.AddWithValue("$t", tenant);
            return (long)cmd.ExecuteScalar()! == 1;
        }
    }

    /// <summary>The subjects of the wrapped rows whose subject starts with <paramref name="prefix"/> (the tenants' index keys: <c>index:</c>), in order.</summary>
    internal IReadOnlyList<string> WrappedSubjects(string prefix)
        => Query($"SELECT subject FROM subject_keys WHERE {PrefixRange} AND state = 1 ORDER BY subject", r => r.GetString(0), ("$p", prefix));

    /// <summary>
    /// Stores <paramref name="count"/> new data keys made ahead for <paramref name="tenant"/> in one transaction (one
    /// sync), named <c>spare:N</c> from a counter keys.db keeps, so that no name is ever given twice — not even one a
    /// conversation's row took over — whatever the random source. <paramref name="recordFor"/> wraps a key for its name.
    /// </summary>
    internal IReadOnlyList<string> AddSpares(string tenant, int count, Func<string, byte[]> recordFor, string changed)
    {
        lock (gate)
        {
            using var tx = connection.BeginTransaction();
            using var read = connection.CreateCommand();
            read.Transaction = tx;
            read.CommandText = "SELECT value FROM counters WHERE name = 'spare'";
            var next = read.ExecuteScalar() is long n ? n : 0;
            var subjects = new List<string>(count);
            for (var i = 0; i < count; i++)
            {
                var subject = SparePrefix + (++next).ToString(CultureInfo.InvariantCulture);
                using var cmd = connection.CreateCommand();
                cmd.Transaction = tx;
                cmd.CommandText = "INSERT INTO subject_keys (subject, tenant, state, record, changed) VALUES ($s, $t, 1, $r, $c)";
                cmd.Parameters.AddWithValue("$s", subject);
                cmd.Parameters.AddWithValue("$t", tenant);
                cmd.Parameters.AddWithValue("$r", recordFor(subject));
                cmd.Parameters.AddWithValue("$c", changed);
                cmd.ExecuteNonQuery();
                subjects.Add(subject);
            }

            using var write = connection.CreateCommand();
            write.Transaction = tx;
            write.CommandText = "INSERT INTO counters (name, value) VALUES ('spare', $v) ON CONFLICT(name) DO UPDATE SET value = $v";
            write.Parameters.AddWithValue("$v", next);
            write.ExecuteNonQuery();
            tx.Commit();
            return subjects;
        }
    }

    /// <summary>The data keys made ahead for <paramref name="tenant"/> that no conversation has taken (encryption.md §4.1), in subject order.</summary>
    internal IReadOnlyList<(string Subject, byte[] Record)> Spares(string tenant)
        => Query($"SELECT subject, record FROM subject_keys WHERE {PrefixRange} AND tenant = $t AND state = 1 AND (reason IS NULL OR substr(reason, 1, length($h)) <> $h) ORDER BY subject",
            r => (r.GetString(0), (byte[])r.GetValue(1)), ("$h", HeldReason), ("$p", SparePrefix), ("$t", tenant));

    /// <summary>
    /// Gives data keys made ahead to the conversations whose blocks were written under them (encryption.md §4.1): each
    /// spare row is renamed to its conversation, in one transaction. A spare already renamed (a frame indexed again), or
    /// whose conversation has a row already (the writer never claims a spare for such a conversation; the spare is then
    /// left where the blocks find it, with a reason that keeps it from every pool), is not. The counter of spare names is raised past every name given, so that a
    /// keys.db restored from before these frames never gives a name they use to another key.
    /// </summary>
    internal void Adopt(IReadOnlyList<(string Spare, string Conversation)> claims, string changed)
    {
        lock (gate)
        {
            long highest = 0;
            using var tx = connection.BeginTransaction();
            foreach (var (spare, conversation) in claims)
            {
                if (SpareNumber(spare) is not { } number)
                {
                    continue; // not a name this store gives: nothing of keys.db is moved for it
                }

                highest = Math.Max(highest, number);
                using var cmd = connection.CreateCommand();
                cmd.Transaction = tx;
                cmd.CommandText = "UPDATE subject_keys SET subject = $c, changed = $ch WHERE subject = $s AND state = 1 AND NOT EXISTS (SELECT 1 FROM subject_keys WHERE subject = $c)";
                cmd.Parameters.AddWithValue("$c", conversation);
                cmd.Parameters.AddWithValue("$s", spare);
                cmd.Parameters.AddWithValue("$ch", changed);
                if (cmd.ExecuteNonQuery() == 1)
                {
                    continue;
                }

                // Not renamed: already (nothing to do), or the conversation has a row of its own. Then the spare stays
                // where the frame's blocks find it, marked so that no pool gives it out again.
                using var hold = connection.CreateCommand();
                hold.Transaction = tx;
                hold.CommandText = "UPDATE subject_keys SET reason = $h || $c WHERE subject = $s AND state = 1";
                hold.Parameters.AddWithValue("$h", HeldReason);
                hold.Parameters.AddWithValue("$c", conversation);
                hold.Parameters.AddWithValue("$s", spare);
                hold.ExecuteNonQuery();
            }

            using (var raise = connection.CreateCommand())
            {
                raise.Transaction = tx;
                raise.CommandText = "INSERT INTO counters (name, value) VALUES ('spare', $v) ON CONFLICT(name) DO UPDATE SET value = max(value, $v)";
                raise.Parameters.AddWithValue("$v", highest);
                raise.ExecuteNonQuery();
            }

            tx.Commit();
        }
    }

    /// <summary>The reason a spare that a frame names but that could not be filed carries: no pool gives it out.</summary>
    private const string HeldReason = "named by a block of ";

    /// <summary>SQL for a row's new reason that keeps <see cref="HeldReason"/> (parameters <c>$why</c>, <c>$h</c>).</summary>
    private const string KeepHeld = "CASE WHEN substr(coalesce(reason, ''), 1, length($h)) = $h THEN reason ELSE $why END";

    /// <summary>N of a subject <c>spare:N</c>, or null for any other subject.</summary>
    internal static long? SpareNumber(string subject)
        => subject.StartsWith(SparePrefix, StringComparison.Ordinal)
            && long.TryParse(subject.AsSpan(SparePrefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0 ? n : null;

    /// <summary>Counts of the conversations' rows by state (the tenants' index keys, <c>index:TENANT</c>, and the data keys made ahead, <c>spare:N</c>, are not counted).</summary>
    public IReadOnlyDictionary<KeyState, long> Counts()
    {
        lock (gate)
        {
            using var cmd = connection.CreateCommand();
            cmd.CommandText = "SELECT state, count(*) FROM subject_keys WHERE substr(subject, 1, 6) NOT IN ('index:', 'spare:') GROUP BY state";
            using var r = cmd.ExecuteReader();
            var counts = new Dictionary<KeyState, long>();
            while (r.Read())
            {
                counts[(KeyState)r.GetInt64(0)] = r.GetInt64(1);
            }

            return counts;
        }
    }

    /// <summary>Stores a new wrapped data key; false (and nothing written) when the subject already has a row.</summary>
    public bool TryAdd(string subject, string tenant, byte[] record, string changed)
    {
        lock (gate)
        {
            using var cmd = connection.CreateCommand();
            cmd.CommandText = "INSERT OR IGNORE INTO subject_keys (subject, tenant, state, record, changed) VALUES ($s, $t, 1, $r, $c)";
            cmd.Parameters.AddWithValue("$s", subject);
            cmd.Parameters.AddWithValue("$t", tenant);
            cmd.Parameters.AddWithValue("$r", record);
            cmd.Parameters.AddWithValue("$c", changed);
            return cmd.ExecuteNonQuery() == 1;
        }
    }

    /// <summary>Replaces the records of several subjects in one transaction (rotation, seal, unseal).</summary>
    public void Replace(IEnumerable<(string Subject, KeyState State, byte[] Record)> rows, string changed, string? reason)
    {
        lock (gate)
        {
            using var tx = connection.BeginTransaction();
            foreach (var (subject, state, record) in rows)
            {
                using var cmd = connection.CreateCommand();
                cmd.Transaction = tx;
                cmd.CommandText = "UPDATE subject_keys SET state = $st, record = $r, changed = $c, reason = $why WHERE subject = $s AND state <> 3";
                cmd.Parameters.AddWithValue("$s", subject);
                cmd.Parameters.AddWithValue("$st", (long)state);
                cmd.Parameters.AddWithValue("$r", record);
                cmd.Parameters.AddWithValue("$c", changed);
                cmd.Parameters.AddWithValue("$why", (object?)reason ?? DBNull.Value);
                if (cmd.ExecuteNonQuery() != 1)
                {
                    throw new KeyProviderException($"{Path}: {subject} has no wrapped or sealed key to replace (shredded, or never stored).");
                }
            }

            tx.Commit();
        }
    }

    /// <summary>
    /// Re-wraps data keys (rotation) in one transaction: each row by its subject, or, when the indexer has filed a spare
    /// under its conversation since the rows were listed, by the record it held. A row that was sealed or shredded
    /// meanwhile is left as it is.
    /// </summary>
    internal void Rewrap(IEnumerable<(string Subject, byte[] Old, byte[] New)> rows, string changed, string reason)
    {
        lock (gate)
        {
            using var tx = connection.BeginTransaction();
            foreach (var (subject, old, fresh) in rows)
            {
                using var cmd = connection.CreateCommand();
                cmd.Transaction = tx;
                // A held spare keeps its reason (see Adopt): it must stay out of every pool.
                cmd.CommandText = "UPDATE subject_keys SET record = $r, changed = $c, reason = " + KeepHeld + " WHERE subject = $s AND state = 1 AND record = $old";
                cmd.Parameters.AddWithValue("$s", subject);
                cmd.Parameters.AddWithValue("$r", fresh);
                cmd.Parameters.AddWithValue("$old", old);
                cmd.Parameters.AddWithValue("$c", changed);
                cmd.Parameters.AddWithValue("$why", reason);
                cmd.Parameters.AddWithValue("$h", HeldReason);
                if (cmd.ExecuteNonQuery() == 0 && subject.StartsWith(SparePrefix, StringComparison.Ordinal))
                {
                    cmd.CommandText = "UPDATE subject_keys SET record = $r, changed = $c, reason = " + KeepHeld + " WHERE state = 1 AND record = $old";
                    cmd.ExecuteNonQuery();
                }
            }

            tx.Commit();
        }
    }

    /// <summary>
    /// Destroys the subject's record (secure_delete zeroes the freed cell), keeping a row that says it was shredded and
    /// why; then truncates the journal. True if it held a record.
    /// </summary>
    public bool Shred(string subject, string tenant, string changed, string reason)
    {
        lock (gate)
        {
            using var cmd = connection.CreateCommand();
            cmd.CommandText = """
                INSERT INTO subject_keys (subject, tenant, state, record, changed, reason) VALUES ($s, $t, 3, NULL, $c, $why)
                ON CONFLICT(subject) DO UPDATE SET state = 3, record = NULL, changed = $c, reason = $why
                """;
            cmd.Parameters.AddWithValue("$s", subject);
            cmd.Parameters.AddWithValue("$t", tenant);
            cmd.Parameters.AddWithValue("$c", changed);
            cmd.Parameters.AddWithValue("$why", reason);
            var had = Get(subject)?.Record is not null;
            cmd.ExecuteNonQuery();
            Execute("VACUUM;");
            return had;
        }
    }

    /// <summary>The columns <see cref="Row"/> reads, in its order.</summary>
    private const string RowColumns = "tenant, state, record, changed, reason, subject";

    /// <summary>The rows whose subject starts with <c>$p</c>: a range on the primary key, not a scan of every conversation's row.</summary>
    private const string PrefixRange = "subject >= $p AND subject < $p || char(1114111)";

    private static KeyRow Row(SqliteDataReader r)
        => new(r.GetString(5), r.GetString(0), (KeyState)r.GetInt64(1), r.IsDBNull(2) ? null : (byte[])r.GetValue(2), r.GetString(3), r.IsDBNull(4) ? null : r.GetString(4));

    /// <summary>Runs a read under the store's lock and reads each row with <paramref name="read"/> (a null parameter value is SQL NULL).</summary>
    private List<T> Query<T>(string sql, Func<SqliteDataReader, T> read, params (string Name, object? Value)[] parameters)
    {
        lock (gate)
        {
            using var cmd = connection.CreateCommand();
            cmd.CommandText = sql;
            foreach (var (name, value) in parameters)
            {
                cmd.Parameters.AddWithValue(name, value ?? DBNull.Value);
            }

            using var r = cmd.ExecuteReader();
            var rows = new List<T>();
            while (r.Read())
            {
                rows.Add(read(r));
            }

            return rows;
        }
    }

    private void Execute(string sql)
    {
        using var cmd = connection.CreateCommand();
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }

    public void Dispose() => connection.Dispose();

    internal static string Describe(KeyState state) => state switch
    {
        KeyState.Wrapped => "wrapped",
        KeyState.Sealed => "sealed",
        KeyState.Shredded => "shredded",
        _ => ((long)state).ToString(CultureInfo.InvariantCulture),
    };
}
