using System.Globalization;
using System.Text.Json.Nodes;
using Amber.Core.Hashing;
using Amber.Core.Model;
using Amber.Storage.Format;
using Microsoft.Data.Sqlite;

namespace Amber.Storage.Index;

/// <summary>
/// The SQLite index: derived state only, rebuildable from the segments at any time. The writer keeps
/// one connection; every read opens its own (pooled) connection so reads run beside writes (WAL).
/// </summary>
internal sealed partial class ArchiveIndex : IDisposable
{
    /// <summary>
    /// Bumped whenever the tables or their indexes change; an index of another version is rebuilt on open. 5: integer keys
    /// (each content id stored once, as a 32-byte BLOB), a contentless full-text table whose rowid is the node's key, and
    /// no copies of what the segments hold (records are read through their location). 6: no copy of the commit infos
    /// either (the log entries are read from the commit frames), and the nodes' id index on the digest's first 8 bytes. 7:
    /// each node's tenant and token counts (what <c>amber cost</c> sums). 8: full-text postings without word positions
    /// (<c>detail=column</c>; phrases confirmed and words counted in the candidates' text, FullTextSearch), a node's
    /// <c>created</c> packed into an integer and a digest or UUID source id as bytes where that gives the text back
    /// (IndexValues). 9: postings of which messages hold a word and nothing more (<c>detail=none</c>: about half of
    /// <c>detail=column</c>'s bytes, since the table has one column), and a <c>sha256:</c> source id as its digest's bytes, a conversation's <c>updated</c> packed
    /// (always the commit time's fixed form, so always packable; <c>created</c> stays text: the list query seeks on it and
    /// filters by text prefixes).
    /// 10: an encrypted archive's full-text table holds keyed hashes of the words, and its titles are encrypted
    /// (IndexCipher; the tables are those of 9, and an archive without encryption gets the same rows as under 9).
    /// See docs/ARCHITECTURE.md.
    /// </summary>
    public const int SchemaVersion = 10;
    private readonly string connectionString;
    private readonly Dictionary<string, SqliteCommand> statements = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ModelReference> models = new(StringComparer.Ordinal);
    private readonly TransactionKeys keys = new(); // the current write transaction's row keys (SqlRows)
    private SqliteConnection? writer;
    private WalCheckpointer? checkpointer;
    private long walSizeLimit = DefaultWalSizeLimit;
    private long? compactAfterNodes; // null: never compacted (readers, verify's scratch index)
    private bool unsynced;

    /// <summary>Checkpoints run by this writer's background checkpointer so far (tests).</summary>
    internal long WalCheckpoints => checkpointer?.Checkpoints ?? 0;

    private ArchiveIndex(string path, bool readOnly)
    {
        Path = path;
        connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = readOnly ? SqliteOpenMode.ReadOnly : SqliteOpenMode.ReadWriteCreate,
            Pooling = true,
            DefaultTimeout = 30,
        }.ToString();
    }

    public string Path { get; }

    /// <summary>Set when opening found this index left unsynced by a boot before this one and deleted it: why.</summary>
    public string? Discarded { get; private init; }

    /// <summary>The writer connection's <c>PRAGMA synchronous</c>: 0 (OFF) when guarded by <see cref="IndexOpenMarker"/>, else 1 (NORMAL).</summary>
    internal long WriterSynchronous()
    {
        using var cmd = Writer.CreateCommand();
        cmd.CommandText = "PRAGMA synchronous";
        return Convert.ToInt64(cmd.ExecuteScalar(), CultureInfo.InvariantCulture);
    }

    /// <summary>Refuses to read an index that a writer left unsynced when the machine restarted; only a writer may rebuild it.</summary>
    /// <param name="path">The index file.</param>
    /// <param name="fix">What the user should do, as the end of the message.</param>
    public static void ThrowIfLeftUnsyncedByAnotherBoot(string path, string fix)
    {
        if (IndexOpenMarker.CurrentBoot() is { } boot && IndexOpenMarker.OtherBoot(path, boot) is { } other)
        {
            throw new InvalidOperationException(
                $"The archive's index {path} was open without fsyncs when the machine restarted (boot {other}) and may have lost writes; {fix}.");
        }
    }

    /// <summary>Past this size of the <c>-wal</c> file, <see cref="TruncateWalIfLarge"/> empties it.</summary>
    public const long DefaultWalSizeLimit = 16L << 20;

    /// <param name="path">The index file.</param>
    /// <param name="log">Where the background WAL checkpointer reports a checkpoint that keeps failing.</param>
    /// <param name="walSizeLimit">See <see cref="TruncateWalIfLarge"/> (tests use less than the default).</param>
    /// <param name="compactAfterNodes">Below this many nodes the index is not compacted at close (<see cref="IndexCompaction"/>; tests use less).</param>
    public static ArchiveIndex OpenWriter(string path, Action<string>? log = null, long walSizeLimit = DefaultWalSizeLimit, long compactAfterNodes = IndexCompaction.DefaultMinimumNodes)
        => OpenWriter(path, IndexOpenMarker.CurrentBoot(), log, walSizeLimit, compactAfterNodes);

    /// <param name="path">The index file.</param>
    /// <param name="boot">This machine's boot id, null where it cannot be told (tests pass it).</param>
    /// <param name="log">Where the background WAL checkpointer reports a checkpoint that keeps failing.</param>
    /// <param name="walSizeLimit">See <see cref="TruncateWalIfLarge"/>.</param>
    /// <param name="compactAfterNodes">See <see cref="IndexCompaction"/>.</param>
    internal static ArchiveIndex OpenWriter(string path, string? boot, Action<string>? log = null, long walSizeLimit = DefaultWalSizeLimit, long compactAfterNodes = IndexCompaction.DefaultMinimumNodes)
    {
        // Unsynced where a machine restart can be detected (IndexOpenMarker); an index that was open, unsynced, when
        // the machine restarted is deleted before SQLite reads a page of it.
        string? discarded = null;
        if (IndexOpenMarker.OtherBoot(path, boot) is { } other)
        {
            SqliteConnection.ClearAllPools(); // no pooled connection may outlive the files it points at
            Archive.DeleteIndexFiles(path);
            discarded = boot is null
                ? $"index {path} was left open without fsyncs (boot {other}) and this machine cannot tell whether it has restarted since; rebuilding it"
                : $"the machine restarted while index {path} was open without fsyncs (boot {other}); rebuilding it";
        }

        if (boot is not null)
        {
            IndexOpenMarker.Write(path, boot);
        }

        var index = new ArchiveIndex(path, readOnly: false) { walSizeLimit = walSizeLimit, compactAfterNodes = compactAfterNodes, unsynced = boot is not null, Discarded = discarded };
        // SQLite creates the -wal and -shm files with the database file's mode: an owner-only index.db keeps them so too.
        Amber.Storage.FileSystem.OwnerOnly.EnsureFile(path);
        index.writer = new SqliteConnection(index.connectionString);
        index.writer.Open();
        // The WAL is checkpointed by a background connection, not by whichever commit crosses the threshold:
        // a checkpoint fsyncs twice and rewrites every page it copies, which would stall that commit for milliseconds.
        // journal_size_limit: when the WAL restarts, SQLite cuts a larger file back to this size. A small limit (4 MiB)
        // made that truncation, several milliseconds of file-system work, happen inside nearly every restart's commit.
        // busy_timeout: the truncating checkpoint waits for readers through SQLite's busy handler.
        index.Exec(string.Create(CultureInfo.InvariantCulture, $"PRAGMA journal_mode=WAL; PRAGMA synchronous={(index.unsynced ? "OFF" : "NORMAL")}; PRAGMA foreign_keys=OFF; PRAGMA wal_autocheckpoint=0; PRAGMA journal_size_limit={walSizeLimit}; PRAGMA busy_timeout=10000;"));
        index.Exec(Schema);
        index.checkpointer = new WalCheckpointer(index.connectionString, path + "-wal", log, index.unsynced);
        return index;
    }

    public static ArchiveIndex OpenReader(string path) => new(path, readOnly: true);

    /// <summary>
    /// A throw-away index for <c>verify</c> to rebuild into and compare with: its journal in memory, no fsync. Instead of the
    /// full-text table it keeps each node's search text in a plain <c>node_text</c> table (FullTextAudit).
    /// </summary>
    internal static ArchiveIndex OpenScratch(string path)
    {
        var index = new ArchiveIndex(path, readOnly: false);
        index.writer = new SqliteConnection(index.connectionString);
        index.writer.Open();
        // A journal in memory, so verify can roll back frames it indexed before it found the scan's frames unusable (ScannedFrames).
        // A page cache of up to 256 MiB: the unique id indexes take inserts in random order, which otherwise spill pages
        // to the file and read them back.
        index.Exec("PRAGMA journal_mode=MEMORY; PRAGMA synchronous=OFF; PRAGMA foreign_keys=OFF; PRAGMA cache_size=-262144;");
        // The node text as plain rows, not tokenized: FTS5 checks the live postings against them (FullTextAudit).
        index.Exec(Schema.Replace(FullTextTable, Verification.FullTextAudit.ScratchTextTable, StringComparison.Ordinal));
        return index;
    }

    /// <summary>
    /// Contentless (<c>content=''</c>): the text is in the segments, and snippets are cut from it there (HitTexts).
    /// The rowid is the node's key, which grows in archive order, so "newest first" walks the rowids down and stops.
    /// Rows are never deleted (a changed index is rebuilt), so <c>contentless_delete</c> is not needed. <c>detail=none</c>:
    /// the postings say which messages hold a word, not where nor in which column (the table has one, so a column list
    /// would say nothing, and it took half of <c>detail=column</c>'s bytes); phrases and word counts are read from the
    /// candidates' text (HitTexts), where the snippets are cut.
    /// </summary>
    internal const string FullTextTable = "CREATE VIRTUAL TABLE IF NOT EXISTS node_text USING fts5(text, content='', detail=none, tokenize = " + Tokenizer + ");";

    /// <summary>How search text is cut into words: the index's and the snippets' (HitTexts) alike.</summary>
    internal const string Tokenizer = "'unicode61 remove_diacritics 2'";

    // Every content id is stored once, as a BLOB digest with a unique index, beside an INTEGER key; tables refer to each
    // other by key. A node's created, a conversation's updated and its source_id have no type affinity: IndexValues keeps them compact
    // where their exact text can be given back. The nodes' id index holds only the first 8 bytes of each digest (IndexIds.IdIs): the writer stores a
    // node once (Apply looks it up first), so uniqueness needs no index. Columns and indexes are those some query reads (docs/ARCHITECTURE.md, "The index").
    private const string Schema = """
        CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
        CREATE TABLE IF NOT EXISTS commits(seq INTEGER PRIMARY KEY, segment INTEGER NOT NULL, offset INTEGER NOT NULL,
            length INTEGER NOT NULL, time TEXT NOT NULL, leaf_hash BLOB NOT NULL);
        CREATE TABLE IF NOT EXISTS checkpoints(size INTEGER NOT NULL, segment INTEGER NOT NULL, offset INTEGER NOT NULL, note TEXT NOT NULL,
            PRIMARY KEY(segment, offset));
        CREATE TABLE IF NOT EXISTS dictionaries(dict_id INTEGER PRIMARY KEY, label TEXT NOT NULL, segment INTEGER NOT NULL, offset INTEGER NOT NULL, size INTEGER NOT NULL);
        CREATE TABLE IF NOT EXISTS conversations(k INTEGER PRIMARY KEY, id BLOB NOT NULL UNIQUE, format TEXT NOT NULL, source TEXT NOT NULL, source_id NOT NULL,
            title TEXT, created TEXT NOT NULL, updated NOT NULL, nodes INTEGER NOT NULL DEFAULT 0,
            instances INTEGER NOT NULL DEFAULT 0, tier INTEGER NOT NULL DEFAULT 4, models TEXT NOT NULL DEFAULT '[]',
            raw_bytes INTEGER NOT NULL DEFAULT 0, last_seq INTEGER NOT NULL,
            segment INTEGER NOT NULL, offset INTEGER NOT NULL, entry_offset INTEGER NOT NULL, entry_length INTEGER NOT NULL);
        CREATE INDEX IF NOT EXISTS conversations_created ON conversations(created DESC, k DESC);
        CREATE TABLE IF NOT EXISTS nodes(k INTEGER PRIMARY KEY, id BLOB NOT NULL, parent INTEGER, created, model INTEGER,
            tier INTEGER NOT NULL, segment INTEGER NOT NULL, offset INTEGER NOT NULL, entry_offset INTEGER NOT NULL, entry_length INTEGER NOT NULL,
            tenant TEXT, tokens_in INTEGER, tokens_out INTEGER);
        CREATE INDEX IF NOT EXISTS nodes_id ON nodes(substr(id, 1, 8));
        CREATE TABLE IF NOT EXISTS conversation_nodes(conversation INTEGER NOT NULL, node INTEGER NOT NULL, seq INTEGER NOT NULL, PRIMARY KEY(conversation, node)) WITHOUT ROWID;
        CREATE INDEX IF NOT EXISTS conversation_nodes_node ON conversation_nodes(node);
        CREATE TABLE IF NOT EXISTS instances(conversation INTEGER NOT NULL, leaf INTEGER NOT NULL, depth INTEGER NOT NULL, tier INTEGER NOT NULL,
            PRIMARY KEY(conversation, leaf)) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS blobs(k INTEGER PRIMARY KEY, id BLOB NOT NULL UNIQUE, size INTEGER NOT NULL, external INTEGER NOT NULL, seq INTEGER NOT NULL,
            segment INTEGER NOT NULL, offset INTEGER NOT NULL, entry_offset INTEGER NOT NULL, entry_length INTEGER NOT NULL);
        CREATE TABLE IF NOT EXISTS conversation_raw(conversation INTEGER NOT NULL, blob INTEGER NOT NULL, seq INTEGER NOT NULL, PRIMARY KEY(conversation, blob)) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS models(k INTEGER PRIMARY KEY, id BLOB NOT NULL UNIQUE, record TEXT NOT NULL, name TEXT NOT NULL);
        CREATE TABLE IF NOT EXISTS node_keys(key TEXT PRIMARY KEY, node INTEGER NOT NULL) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS annotations(k INTEGER PRIMARY KEY, id BLOB NOT NULL UNIQUE, target BLOB NOT NULL, kind TEXT NOT NULL, created TEXT NOT NULL,
            record TEXT NOT NULL, seq INTEGER NOT NULL);
        CREATE INDEX IF NOT EXISTS annotations_target ON annotations(target, created);
        """ + KeyNamesTable + FullTextTable;

    private SqliteConnection Writer => writer ?? throw new InvalidOperationException("The index is open read-only.");

    public SqliteConnection OpenRead()
    {
        var c = new SqliteConnection(connectionString);
        c.Open();
        return c;
    }

    private void Exec(string sql)
    {
        using var cmd = Writer.CreateCommand();
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }

    public string? GetMeta(string key)
    {
        using var c = writer is null ? OpenRead() : null;
        using var cmd = (c ?? writer!).CreateCommand();
        cmd.CommandText = "SELECT value FROM meta WHERE key = $k";
        cmd.Parameters.AddWithValue("$k", key);
        return cmd.ExecuteScalar() as string;
    }

    public void SetMeta(SqliteTransaction tx, string key, string value)
    {
        using var cmd = Writer.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = "INSERT INTO meta(key, value) VALUES($k, $v) ON CONFLICT(key) DO UPDATE SET value = excluded.value";
        cmd.Parameters.AddWithValue("$k", key);
        cmd.Parameters.AddWithValue("$v", value);
        cmd.ExecuteNonQuery();
    }

    /// <summary>Where the index has read up to: the offset just past the last frame or footer it consumed.</summary>
    public (uint Segment, long Offset)? Position
    {
        get
        {
            var v = GetMeta("position");
            return v is null ? null : ParsePosition(v);
        }
    }

    /// <summary>
    /// The last commit the index holds and the position it has read the segments up to, read in one transaction (the
    /// indexer writes both in one), so what lies after the position is exactly what the index lacks.
    /// </summary>
    public (long LastSequence, (uint Segment, long Offset)? Position) IndexedThrough()
    {
        using var c = OpenRead();
        using var tx = c.BeginTransaction(deferred: true);
        using var cmd = c.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = "SELECT COALESCE(MAX(seq), 0) FROM commits";
        var last = cmd.ExecuteScalar() is long l ? l : 0;
        cmd.CommandText = "SELECT value FROM meta WHERE key = 'position'";
        var position = cmd.ExecuteScalar() is string v ? ParsePosition(v) : ((uint, long)?)null;
        return (last, position);
    }

    private static (uint Segment, long Offset) ParsePosition(string value)
    {
        var parts = value.Split(':');
        return (uint.Parse(parts[0], CultureInfo.InvariantCulture), long.Parse(parts[1], CultureInfo.InvariantCulture));
    }

    public SqliteTransaction Begin() => Writer.BeginTransaction();

    /// <summary>Points every row in <paramref name="segment"/> at the offsets a compaction gave its frames (<see cref="SegmentRelocation"/>).</summary>
    public void Relocate(SqliteTransaction tx, uint segment, IEnumerable<Segments.FrameMove> moves) => SegmentRelocation.Apply(Writer, tx, segment, moves);

    public void DeleteMeta(SqliteTransaction tx, string key)
    {
        using var cmd = Writer.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = "DELETE FROM meta WHERE key = $k";
        cmd.Parameters.AddWithValue("$k", key);
        cmd.ExecuteNonQuery();
    }

    /// <summary>
    /// Empties the WAL once it has grown past its limit (a TRUNCATE checkpoint: the rest copied into the index, then
    /// the file cut to nothing). Called by the indexer between its transactions. The background checkpointer's
    /// passive checkpoints cannot do this alone: SQLite starts the WAL over only when a transaction begins with
    /// everything copied, which back-to-back transactions rarely allow, so the WAL would grow without bound during
    /// a bulk import.
    /// </summary>
    public void TruncateWalIfLarge()
    {
        var wal = new FileInfo(Path + "-wal");
        if (wal.Exists && wal.Length > walSizeLimit)
        {
            Exec("PRAGMA wal_checkpoint(TRUNCATE)");
        }
    }

    public void SetPosition(SqliteTransaction tx, uint segment, long offset) => SetMeta(tx, "position", FormatPosition(segment, offset));

    /// <summary>The <c>meta</c> value of a position in the segments.</summary>
    internal static string FormatPosition(uint segment, long offset) => string.Create(CultureInfo.InvariantCulture, $"{segment}:{offset}");


    public void AddDictionary(SqliteTransaction tx, uint dictId, string label, uint segment, long offset, int size)
        => IndexRowDeriver.Dictionary(new SqlRows(this, tx), dictId, label, segment, offset, size);

    /// <summary>Records a signed log checkpoint frame's note.</summary>
    public void AddCheckpoint(SqliteTransaction tx, uint segment, long offset, ReadOnlySpan<byte> payload)
        => IndexRowDeriver.Checkpoint(new SqlRows(this, tx), segment, offset, payload);

    /// <summary>Where the index says the newest checkpoint frame sits (a hint: the frame itself is checked).</summary>
    public (uint Segment, long Offset)? LatestCheckpointLocation()
    {
        using var c = writer is null ? OpenRead() : null;
        using var cmd = (c ?? writer!).CreateCommand();
        cmd.CommandText = "SELECT segment, offset FROM checkpoints ORDER BY size DESC, segment DESC, offset DESC LIMIT 1";
        using var r = cmd.ExecuteReader();
        return r.Read() ? ((uint)r.GetInt64(0), r.GetInt64(1)) : null;
    }

    /// <summary>Leaf hashes of the log, in order, from <paramref name="fromSeq"/> (1-based).</summary>
    public List<byte[]> LeafHashes(long fromSeq)
    {
        using var c = writer is null ? OpenRead() : null;
        using var cmd = (c ?? writer!).CreateCommand();
        cmd.CommandText = "SELECT leaf_hash FROM commits WHERE seq >= $f ORDER BY seq";
        cmd.Parameters.AddWithValue("$f", fromSeq);
        using var r = cmd.ExecuteReader();
        var list = new List<byte[]>();
        while (r.Read())
        {
            list.Add((byte[])r[0]);
        }

        return list;
    }

    public List<(uint DictId, string Label, uint Segment, long Offset)> Dictionaries()
    {
        using var c = writer is null ? OpenRead() : null;
        using var cmd = (c ?? writer!).CreateCommand();
        cmd.CommandText = "SELECT dict_id, label, segment, offset FROM dictionaries ORDER BY segment, offset";
        using var r = cmd.ExecuteReader();
        var list = new List<(uint, string, uint, long)>();
        while (r.Read())
        {
            list.Add(((uint)r.GetInt64(0), r.GetString(1), (uint)r.GetInt64(2), r.GetInt64(3)));
        }

        return list;
    }

    /// <summary>
    /// Makes what was written without fsyncs durable, through SQLite's own descriptors: closing one of ours on index.db
    /// would release every POSIX lock this process holds on the file, SQLite's included, and another process could then
    /// take itself for the last connection and delete the WAL under connections still open here
    /// (sqlite.org/howtocorrupt.html, 2.2). With <c>synchronous=FULL</c> a checkpoint fsyncs the WAL, copies it and
    /// fsyncs the database file, which covers the pages earlier checkpoints left unsynced as well; the one-page write
    /// before it gives it a frame to copy, without which it skips both fsyncs. False if readers kept it from copying
    /// everything.
    /// </summary>
    private bool SyncForClose()
    {
        // A pooled connection keeps its settings: whoever runs the last checkpoint at close must sync it.
        Exec("PRAGMA synchronous=FULL");
        using (var version = Writer.CreateCommand())
        {
            version.CommandText = "PRAGMA user_version";
            Exec(string.Create(CultureInfo.InvariantCulture, $"PRAGMA user_version={Convert.ToInt64(version.ExecuteScalar(), CultureInfo.InvariantCulture)}"));
        }

        using var cmd = Writer.CreateCommand();
        cmd.CommandText = "PRAGMA wal_checkpoint(FULL)";
        using var r = cmd.ExecuteReader();
        return r.Read() && r.GetInt64(0) == 0 && r.GetInt64(1) > 0 && r.GetInt64(2) == r.GetInt64(1);
    }

    public void Dispose()
    {
        foreach (var cmd in statements.Values)
        {
            cmd.Dispose();
        }

        statements.Clear();
        checkpointer?.Dispose();
        checkpointer = null;
        if (writer is not null && compactAfterNodes is { } minimum)
        {
            // Before the sync below, which then makes the rewritten file durable too.
            IndexCompaction.CompactIfGrown(writer, minimum);
        }
        if (writer is not null && unsynced)
        {
            try
            {
                if (SyncForClose())
                {
                    IndexOpenMarker.Remove(Path);
                }
            }
            catch (SqliteException e) when (e.SqliteErrorCode is 5 or 6)
            {
                // SQLITE_BUSY or SQLITE_LOCKED: readers kept the checkpoint out, as when it returns false. Nothing failed
                // to reach the disk, so this boot's marker rightly stays.
            }
            catch (Exception e) when (e is IOException or SqliteException or UnauthorizedAccessException)
            {
                // The sync itself failed, so even this boot may not trust the index.
                IndexOpenMarker.MarkFailedSync(Path);
            }
        }

        if (writer is not null)
        {
            EmptyWalAtClose();
        }

        writer?.Dispose();
        writer = null;
    }

    /// <summary>
    /// Cuts the WAL to nothing once everything in it is in the index: otherwise the file stays on disk at its largest (a
    /// pooled connection, or a process that exits without closing SQLite, never deletes it), as large as the index after
    /// a bulk import or a compaction (BENCHMARKS §21). Without waiting: a reader of another process keeps it for the next close.
    /// </summary>
    private void EmptyWalAtClose()
    {
        try
        {
            Exec("PRAGMA busy_timeout=0");
            Exec("PRAGMA wal_checkpoint(TRUNCATE)");
            Exec("PRAGMA busy_timeout=10000");
        }
        catch (SqliteException)
        {
            // The WAL stays as it is: nothing is lost, it only takes room until the next writer's close.
        }
    }
}
