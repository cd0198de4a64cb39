using System.Globalization;
using Amber.Core.Hashing;
using Amber.Storage;
using Amber.Storage.Reading;
using Amber.Storage.Verification;
using Npgsql;
using NpgsqlTypes;

namespace Amber.Cluster.Catalogue;

/// <summary>
/// The cluster archive's catalogue in PostgreSQL: the same rows as the embedded archive's <c>index.db</c>, derived by the
/// same rule from the segments alone, and full-text search through a <c>tsvector</c> per message under a GIN index.
/// Like <c>index.db</c> it is derived state: <see cref="RebuildAsync"/> replaces it whole, in one transaction, so a
/// reader sees either the old catalogue or the new one, never a half-built one.
/// </summary>
public sealed partial class PostgresCatalogue : IAsyncDisposable
{
    private readonly NpgsqlDataSource source;

    private PostgresCatalogue(NpgsqlDataSource source, string schema)
    {
        this.source = source;
        Schema = schema;
    }

    /// <summary>The PostgreSQL schema (namespace) that holds the catalogue's tables.</summary>
    public string Schema { get; }

    /// <summary>Connects to the database a connection string names (<c>AMBER_CATALOG</c>); the tables live in <paramref name="schema"/>.</summary>
    public static PostgresCatalogue Open(string connectionString, string schema = "amber")
    {
        ArgumentException.ThrowIfNullOrEmpty(connectionString);
        ArgumentException.ThrowIfNullOrEmpty(schema);
        if (!schema.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '_') || char.IsAsciiDigit(schema[0]))
        {
            throw new ArgumentException($"the catalogue schema '{schema}' must be lowercase letters, digits and '_', not starting with a digit", nameof(schema));
        }

        return new PostgresCatalogue(NpgsqlDataSource.Create(connectionString), schema);
    }

    /// <summary>
    /// Replaces the catalogue with the rows derived from <paramref name="archive"/>'s segments (opened as the writer),
    /// built beside the live one and swapped in at commit.
    /// </summary>
    /// <param name="shard">The shard the archive is (a node's name), whose high-water mark the rebuild sets; the archive's id by default.</param>
    public async Task<CatalogueRebuild> RebuildAsync(Archive archive, IProgress<ScanProgress>? progress = null, CancellationToken cancellationToken = default, string? shard = null)
    {
        ArgumentNullException.ThrowIfNull(archive);
        var rows = new ExpectedRows();
        // The rows are those of the index's own rule (ArchiveCatalogue.Derive), read with the writer held between groups.
        var (frames, segment, end) = archive.HoldingWriter("Rebuilding a catalogue", state => (archive.IndexCatalogue.Derive(rows, state, progress), state.Segment, state.End));
        rows.SetMeta("archive_id", archive.ArchiveId);
        rows.SetMeta("catalogue_schema", PostgresSchema.Version.ToString(CultureInfo.InvariantCulture));
        rows.SetMeta("position", string.Create(CultureInfo.InvariantCulture, $"{segment}:{end}"));

        var building = Schema + "_rebuild";
        await using var c = await source.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var tx = await c.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        // One rebuild at a time per catalogue; others wait here rather than tear each other's half-built tables down.
        await LockAsync(c, tx, cancellationToken).ConfigureAwait(false);
        await ExecAsync(c, tx, $"DROP SCHEMA IF EXISTS {PostgresSchema.Quote(building)} CASCADE; CREATE SCHEMA {PostgresSchema.Quote(building)};"
            + PostgresSchema.CreateTables(building), cancellationToken).ConfigureAwait(false);
        foreach (var table in PostgresSchema.Tables)
        {
            await CopyAsync(c, building, table, rows.Rows(table.Rows), cancellationToken).ConfigureAwait(false);
        }

        await CopyTextsAsync(c, tx, building, rows.Texts, cancellationToken).ConfigureAwait(false);
        await SetShardAsync(c, tx, building, shard ?? archive.ArchiveId, archive.ArchiveId, (segment, end), cancellationToken).ConfigureAwait(false);
        await ExecAsync(c, tx, PostgresSchema.CreateIndexes(building)
            + $"DROP SCHEMA IF EXISTS {PostgresSchema.Quote(Schema)} CASCADE; ALTER SCHEMA {PostgresSchema.Quote(building)} RENAME TO {PostgresSchema.Quote(Schema)};",
            cancellationToken).ConfigureAwait(false);
        await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
        return new CatalogueRebuild(frames, rows.Rows(Amber.Storage.Index.IndexTables.Conversations).LongCount(),
            rows.Rows(Amber.Storage.Index.IndexTables.Nodes).LongCount(), rows.Texts.Count);
    }

    /// <summary>
    /// Applies to the catalogue the commits of <paramref name="archive"/> (opened as the writer) that follow its shard's
    /// high-water mark, in one transaction, by the same rule as the rebuild: the catalogue follows the archive without a
    /// rebuild. A commit the catalogue already holds (by its hash) is skipped, so applying again changes nothing. Creates
    /// an empty catalogue first where the schema has none.
    /// </summary>
    /// <param name="shard">The shard the archive is (a node's name); the archive's id by default.</param>
    public async Task<CatalogueApply> ApplyAsync(Archive archive, string? shard = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(archive);
        shard ??= archive.ArchiveId;
        await using var c = await source.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var tx = await c.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        // The rows' keys are assigned from what the catalogue holds: one writer at a time (rebuilds and other shards wait).
        await LockAsync(c, tx, cancellationToken).ConfigureAwait(false);
        await EnsureCreatedAsync(c, tx, Schema, archive.ArchiveId, cancellationToken).ConfigureAwait(false);
        var applied = await ApplyShardAsync(c, tx, Schema, archive, shard, cancellationToken).ConfigureAwait(false);
        await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
        return applied;
    }

    /// <summary>
    /// Replaces the catalogue with the rows of every shard given (each a node's archive, opened as the writer or without
    /// its signing key, as restored from the object store), applied shard after shard into a schema built beside the live
    /// one and swapped in at commit: no shard's rows are lost to another's rebuild.
    /// </summary>
    public async Task<CatalogueRebuild> RebuildShardsAsync(IReadOnlyList<(string Shard, Archive Archive)> shards, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(shards);
        ArgumentOutOfRangeException.ThrowIfZero(shards.Count);
        var building = Schema + "_rebuild";
        await using var c = await source.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var tx = await c.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await LockAsync(c, tx, cancellationToken).ConfigureAwait(false);
        await ExecAsync(c, tx, $"DROP SCHEMA IF EXISTS {PostgresSchema.Quote(building)} CASCADE;", cancellationToken).ConfigureAwait(false);
        await EnsureCreatedAsync(c, tx, building, shards[0].Archive.ArchiveId, cancellationToken).ConfigureAwait(false);
        var frames = 0;
        foreach (var (shard, archive) in shards)
        {
            frames += (await ApplyShardAsync(c, tx, building, archive, shard, cancellationToken).ConfigureAwait(false)).Frames;
        }

        var counts = new long[3];
        var tables = new[] { Amber.Storage.Index.IndexTables.Conversations.Name, Amber.Storage.Index.IndexTables.Nodes.Name, "node_text" };
        for (var i = 0; i < tables.Length; i++)
        {
            await using var count = new NpgsqlCommand($"SELECT count(*) FROM {PostgresSchema.Quote(building)}.{PostgresSchema.Quote(tables[i])}", c, tx);
            counts[i] = (long)(await count.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
        }

        await ExecAsync(c, tx, $"DROP SCHEMA IF EXISTS {PostgresSchema.Quote(Schema)} CASCADE; ALTER SCHEMA {PostgresSchema.Quote(building)} RENAME TO {PostgresSchema.Quote(Schema)};",
            cancellationToken).ConfigureAwait(false);
        await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
        return new CatalogueRebuild(frames, counts[0], counts[1], counts[2]);
    }

    /// <summary>
    /// Creates the catalogue's schema, empty (what <c>amber init --cluster</c> does), where the database has none;
    /// returns false, having checked its layout, where it exists. Nodes then apply their shards to it.
    /// </summary>
    public async Task<bool> CreateAsync(CancellationToken cancellationToken = default)
    {
        await using var c = await source.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var tx = await c.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await LockAsync(c, tx, cancellationToken).ConfigureAwait(false);
        var existed = await ExistsAsync(c, tx, cancellationToken).ConfigureAwait(false);
        // An empty catalogue belongs to no archive yet: each shard row names its own.
        await EnsureCreatedAsync(c, tx, Schema, "", cancellationToken).ConfigureAwait(false);
        await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
        return !existed;
    }

    private async Task<bool> ExistsAsync(NpgsqlConnection c, NpgsqlTransaction tx, CancellationToken cancellationToken)
    {
        await using var probe = new NpgsqlCommand("SELECT to_regclass(@t) IS NOT NULL", c, tx);
        probe.Parameters.AddWithValue("t", $"{PostgresSchema.Quote(Schema)}.meta");
        return (bool)(await probe.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
    }

    /// <summary>The shards the catalogue holds (name and archive id), by name; empty where there is no catalogue yet.</summary>
    public async Task<IReadOnlyList<(string Shard, string ArchiveId)>> ShardsAsync(CancellationToken cancellationToken = default)
    {
        await using var c = await source.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using (var probe = new NpgsqlCommand("SELECT to_regclass(@t) IS NOT NULL", c))
        {
            probe.Parameters.AddWithValue("t", $"{PostgresSchema.Quote(Schema)}.shards");
            if (!(bool)(await probe.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!)
            {
                return [];
            }
        }

        await using var cmd = Command(c, "SELECT shard, archive_id FROM {0}.shards ORDER BY shard");
        var list = new List<(string, string)>();
        await using var r = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await r.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            list.Add((r.GetString(0), r.GetString(1)));
        }

        return list;
    }

    /// <summary>Applies one shard's commits past its high-water mark into <paramref name="schema"/> (the caller holds the lock and the transaction).</summary>
    private static async Task<CatalogueApply> ApplyShardAsync(NpgsqlConnection c, NpgsqlTransaction tx, string schema, Archive archive, string shard, CancellationToken cancellationToken)
    {
        var from = await ShardPositionAsync(c, tx, schema, shard, archive.ArchiveId, cancellationToken).ConfigureAwait(false);
        var rows = new PostgresRows(c, tx, schema);
        var skipped = 0;
        var (frames, segment, end) = archive.HoldingWriter("Applying commits to a catalogue", state =>
        {
            if (from is { } f && (f.Segment > state.Segment || (f.Segment == state.Segment && f.Offset > state.End)))
            {
                throw new InvalidOperationException(
                    $"the catalogue's shard '{shard}' is at {f.Segment}:{f.Offset}, past the archive's end {state.Segment}:{state.End}: it was built from other data; rebuild it with `amber index rebuild --catalog`.");
            }

            var n = archive.IndexCatalogue.Derive(rows, state, from: from, applied: commit =>
            {
                var held = rows.HasCommit(commit);
                skipped += held ? 1 : 0;
                return held;
            });
            return (n, state.Segment, state.End);
        });
        await using (var cmd = new NpgsqlCommand($"UPDATE {PostgresSchema.Quote(schema)}.meta SET value = @p WHERE key = 'position'", c, tx))
        {
            cmd.Parameters.AddWithValue("p", string.Create(CultureInfo.InvariantCulture, $"{segment}:{end}"));
            await cmd.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await SetShardAsync(c, tx, schema, shard, archive.ArchiveId, (segment, end), cancellationToken).ConfigureAwait(false);
        return new CatalogueApply(shard, frames, skipped, string.Create(CultureInfo.InvariantCulture, $"{segment}:{end}"));
    }

    /// <summary>A shard's high-water mark (<c>segment:offset</c> of its log up to which the catalogue holds its commits), or null.</summary>
    public async Task<string?> ShardPositionAsync(string shard, CancellationToken cancellationToken = default)
    {
        await using var c = await OpenCheckedAsync(cancellationToken).ConfigureAwait(false);
        await using var cmd = Command(c, "SELECT position FROM {0}.shards WHERE shard = @shard");
        cmd.Parameters.AddWithValue("shard", shard);
        return await cmd.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) as string;
    }

    /// <summary>The value of a <c>meta</c> row (<c>archive_id</c>, <c>catalogue_schema</c>, <c>position</c>), or null.</summary>
    public async Task<string?> MetaAsync(string key, CancellationToken cancellationToken = default)
    {
        await using var c = await OpenCheckedAsync(cancellationToken).ConfigureAwait(false);
        await using var cmd = Command(c, "SELECT value FROM {0}.meta WHERE key = @key");
        cmd.Parameters.AddWithValue("key", key);
        return await cmd.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) as string;
    }

    /// <summary>The number of rows of one of the catalogue's tables.</summary>
    public async Task<long> CountAsync(string table, CancellationToken cancellationToken = default)
    {
        if (table != "node_text" && !PostgresSchema.Tables.Any(t => t.Rows.Name == table))
        {
            throw new ArgumentException($"the catalogue has no table '{table}'", nameof(table));
        }

        await using var c = await OpenCheckedAsync(cancellationToken).ConfigureAwait(false);
        await using var cmd = Command(c, $"SELECT count(*) FROM {{0}}.{PostgresSchema.Quote(table)}");
        return (long)(await cmd.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
    }

    /// <summary>The newest conversations first (by their <c>created</c> time, as <c>amber ls</c> orders them).</summary>
    public async Task<IReadOnlyList<CatalogueConversation>> ListAsync(int limit, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        await using var c = await OpenCheckedAsync(cancellationToken).ConfigureAwait(false);
        await using var cmd = Command(c, "SELECT id, title, created, updated, nodes FROM {0}.conversations ORDER BY created DESC, k DESC LIMIT @limit");
        cmd.Parameters.AddWithValue("limit", limit);
        var list = new List<CatalogueConversation>();
        await using var r = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await r.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            list.Add(new CatalogueConversation(ContentId.Format((byte[])r[0]), r.IsDBNull(1) ? null : r.GetString(1), r.GetString(2), r.GetString(3), r.GetInt64(4)));
        }

        return list;
    }

    /// <summary>
    /// Messages matching <paramref name="query"/> (web search syntax: words, <c>"a phrase"</c>, <c>or</c>, <c>-word</c>),
    /// best first (<c>ts_rank_cd</c>) or most recently archived first. With <paramref name="tenant"/>, only messages of
    /// conversations that hold a message of that tenant, as the embedded archive's tenant filter reads it; each hit names
    /// the first such conversation holding the message.
    /// </summary>
    public async Task<IReadOnlyList<CatalogueHit>> SearchAsync(string query, int limit, SearchOrder order = SearchOrder.Rank, string? tenant = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(query);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        var orderBy = order == SearchOrder.Newest ? "t.node DESC" : "rank DESC, t.node DESC";
        await using var c = await OpenCheckedAsync(cancellationToken).ConfigureAwait(false);
        await using var cmd = Command(c, $$"""
            SELECT cv.id, cv.title, n.id, ts_rank_cd(t.words, q) AS rank
            FROM websearch_to_tsquery('{{PostgresSchema.TextConfig}}', @query) q, {0}.node_text t
            JOIN {0}.nodes n ON n.k = t.node
            CROSS JOIN LATERAL (SELECT o.conversation FROM {0}.conversation_nodes o WHERE o.node = n.k
                AND (@tenant::text IS NULL OR EXISTS (SELECT 1 FROM {0}.conversation_nodes tc JOIN {0}.nodes tn ON tn.k = tc.node
                    WHERE tc.conversation = o.conversation AND tn.tenant = @tenant::text))
                ORDER BY o.conversation LIMIT 1) cn
            JOIN {0}.conversations cv ON cv.k = cn.conversation
            WHERE t.words @@ q
            ORDER BY {{orderBy}} LIMIT @limit
            """);
        cmd.Parameters.AddWithValue("query", query);
        cmd.Parameters.Add(new NpgsqlParameter("tenant", NpgsqlDbType.Text) { Value = (object?)tenant ?? DBNull.Value });
        cmd.Parameters.AddWithValue("limit", limit);
        var hits = new List<CatalogueHit>();
        await using var r = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await r.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            hits.Add(new CatalogueHit(ContentId.Format((byte[])r[0]), r.IsDBNull(1) ? null : r.GetString(1), ContentId.Format((byte[])r[2]), r.GetFloat(3)));
        }

        return hits;
    }

    public ValueTask DisposeAsync() => source.DisposeAsync();

    /// <summary>A connection to a catalogue that exists and has this code's layout; a clear error otherwise.</summary>
    private async Task<NpgsqlConnection> OpenCheckedAsync(CancellationToken cancellationToken)
    {
        var c = await source.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            // One round trip: the layout's version, or PostgreSQL's "undefined table" when there is no catalogue at all.
            await using var cmd = Command(c, "SELECT value FROM {0}.meta WHERE key = 'catalogue_schema'");
            string? version;
            try
            {
                version = await cmd.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) as string;
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UndefinedTable)
            {
                throw new InvalidOperationException($"the database has no Amber catalogue in schema '{Schema}'; build it with `amber index rebuild --catalog`.", e);
            }

            if (version != PostgresSchema.Version.ToString(CultureInfo.InvariantCulture))
            {
                throw new InvalidOperationException(
                    $"the catalogue in schema '{Schema}' has layout {version ?? "(none)"}, this amber reads layout {PostgresSchema.Version}; rebuild it with `amber index rebuild --catalog`.");
            }

            return c;
        }
        catch
        {
            await c.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private NpgsqlCommand Command(NpgsqlConnection c, string sql)
    {
        var cmd = c.CreateCommand();
        cmd.CommandText = sql.Replace("{0}", PostgresSchema.Quote(Schema), StringComparison.Ordinal);
        return cmd;
    }

    private Task LockAsync(NpgsqlConnection c, NpgsqlTransaction tx, CancellationToken cancellationToken)
        => ExecAsync(c, tx, $"SELECT pg_advisory_xact_lock(hashtext('amber catalogue {Schema}'))", cancellationToken);

    /// <summary>Creates an empty catalogue (tables, indexes, meta) when the schema has none; checks the layout of one that exists.</summary>
    private static async Task EnsureCreatedAsync(NpgsqlConnection c, NpgsqlTransaction tx, string schema, string archiveId, CancellationToken cancellationToken)
    {
        var q = PostgresSchema.Quote(schema);
        await using (var probe = new NpgsqlCommand("SELECT to_regclass(@t) IS NOT NULL", c, tx))
        {
            probe.Parameters.AddWithValue("t", $"{q}.meta");
            if ((bool)(await probe.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!)
            {
                await using var version = new NpgsqlCommand($"SELECT value FROM {q}.meta WHERE key = 'catalogue_schema'", c, tx);
                var v = await version.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) as string;
                if (v != PostgresSchema.Version.ToString(CultureInfo.InvariantCulture))
                {
                    throw new InvalidOperationException(
                        $"the catalogue in schema '{schema}' has layout {v ?? "(none)"}, this amber writes layout {PostgresSchema.Version}; rebuild it with `amber index rebuild --catalog`.");
                }

                return;
            }
        }

        await ExecAsync(c, tx, $"CREATE SCHEMA IF NOT EXISTS {q};" + PostgresSchema.CreateTables(schema) + PostgresSchema.CreateIndexes(schema), cancellationToken).ConfigureAwait(false);
        await using var meta = new NpgsqlCommand($"INSERT INTO {q}.meta (key, value) VALUES ('archive_id', @a), ('catalogue_schema', @v), ('position', '1:0')", c, tx);
        meta.Parameters.AddWithValue("a", archiveId);
        meta.Parameters.AddWithValue("v", PostgresSchema.Version.ToString(CultureInfo.InvariantCulture));
        await meta.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private static async Task<(uint Segment, long Offset)?> ShardPositionAsync(NpgsqlConnection c, NpgsqlTransaction tx, string schema, string shard, string archiveId,
        CancellationToken cancellationToken)
    {
        await using var cmd = new NpgsqlCommand($"SELECT archive_id, position FROM {PostgresSchema.Quote(schema)}.shards WHERE shard = @shard", c, tx);
        cmd.Parameters.AddWithValue("shard", shard);
        await using var r = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        if (!await r.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            return null;
        }

        if (r.GetString(0) != archiveId)
        {
            throw new InvalidOperationException($"the catalogue's shard '{shard}' holds archive {r.GetString(0)}, not {archiveId}: each node keeps its own shard under its own name.");
        }

        var p = r.GetString(1).Split(':');
        return (uint.Parse(p[0], CultureInfo.InvariantCulture), long.Parse(p[1], CultureInfo.InvariantCulture));
    }

    private static async Task SetShardAsync(NpgsqlConnection c, NpgsqlTransaction tx, string schema, string shard, string archiveId, (uint Segment, long Offset) position,
        CancellationToken cancellationToken)
    {
        var q = PostgresSchema.Quote(schema);
        await using var cmd = new NpgsqlCommand($"""
            INSERT INTO {q}.shards (shard, archive_id, position) VALUES (@shard, @archive, @position)
            ON CONFLICT (shard) DO UPDATE SET position = excluded.position
            """, c, tx);
        cmd.Parameters.AddWithValue("shard", shard);
        cmd.Parameters.AddWithValue("archive", archiveId);
        cmd.Parameters.AddWithValue("position", string.Create(CultureInfo.InvariantCulture, $"{position.Segment}:{position.Offset}"));
        await cmd.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private static async Task ExecAsync(NpgsqlConnection c, NpgsqlTransaction tx, string sql, CancellationToken cancellationToken)
    {
        await using var cmd = new NpgsqlCommand(sql, c, tx);
        await cmd.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Writes a table's rows with binary COPY (the fastest way into PostgreSQL, one round trip per table).</summary>
    private static async Task CopyAsync(NpgsqlConnection c, string schema, PgTable table, IEnumerable<object?[]> rows, CancellationToken cancellationToken)
    {
        var columns = string.Join(", ", table.Rows.Columns.Select(PostgresSchema.Quote));
        await using var copy = await c.BeginBinaryImportAsync(
            $"COPY {PostgresSchema.Quote(schema)}.{PostgresSchema.Quote(table.Rows.Name)} ({columns}) FROM STDIN (FORMAT BINARY)", cancellationToken).ConfigureAwait(false);
        foreach (var row in rows)
        {
            await copy.StartRowAsync(cancellationToken).ConfigureAwait(false);
            for (var i = 0; i < table.Kinds.Length; i++)
            {
                if (PostgresSchema.Value(table.Kinds[i], row[i]) is { } value)
                {
                    await copy.WriteAsync(value, PostgresSchema.DbType(table.Kinds[i]), cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    await copy.WriteNullAsync(cancellationToken).ConfigureAwait(false);
                }
            }
        }

        await copy.CompleteAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Turns each message's text into its words. The text passes through a temporary table, which PostgreSQL neither
    /// logs nor keeps past the transaction: the catalogue holds the words, not a second copy of the text.
    /// </summary>
    private static async Task CopyTextsAsync(NpgsqlConnection c, NpgsqlTransaction tx, string schema, List<(long Node, string Text)> texts, CancellationToken cancellationToken)
    {
        await ExecAsync(c, tx, "CREATE TEMPORARY TABLE amber_text_stage (node bigint NOT NULL, text text NOT NULL) ON COMMIT DROP", cancellationToken).ConfigureAwait(false);
        await using (var copy = await c.BeginBinaryImportAsync("COPY amber_text_stage (node, text) FROM STDIN (FORMAT BINARY)", cancellationToken).ConfigureAwait(false))
        {
            foreach (var (node, text) in texts)
            {
                await copy.StartRowAsync(cancellationToken).ConfigureAwait(false);
                await copy.WriteAsync(node, NpgsqlDbType.Bigint, cancellationToken).ConfigureAwait(false);
                await copy.WriteAsync(text, NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
            }

            await copy.CompleteAsync(cancellationToken).ConfigureAwait(false);
        }

        await ExecAsync(c, tx, $"INSERT INTO {PostgresSchema.Quote(schema)}.node_text (node, words) SELECT node, to_tsvector('{PostgresSchema.TextConfig}', text) FROM amber_text_stage",
            cancellationToken).ConfigureAwait(false);
    }
}
