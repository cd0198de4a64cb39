using System.Text.Json;
using Amber.Core.Hashing;
using Amber.Storage.Reading;

namespace Amber.Cluster.Catalogue;

/// <summary>
/// The reads <c>amber ls --cluster</c> answers from the catalogue: the same rows as <c>index.db</c>, so the same
/// summaries the embedded archive's queries give (<c>ConversationQueries</c>), in the same order. Times and source ids
/// are kept as text here, as the source gave them; text compares byte by byte (<c>COLLATE "C"</c>), as SQLite does.
/// </summary>
public sealed partial class PostgresCatalogue
{
    /// <summary>Conversations newest first by (created, key), as <c>Archive.ListConversations</c> lists them, filtered by model, source or format, and tier.</summary>
    public async Task<IReadOnlyList<ConversationSummary>> PageConversationsAsync(int limit, ConversationFilter? filter = null, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        if (filter?.From is not null || filter?.To is not null)
        {
            throw new ArgumentException("the catalogue's list takes a model, source and tier filter, not a time range", nameof(filter));
        }

        await using var c = await OpenCheckedAsync(cancellationToken).ConfigureAwait(false);
        var where = new List<string>();
        await using var cmd = c.CreateCommand();
        if (filter?.Model is { } model)
        {
            where.Add("EXISTS (SELECT 1 FROM json_array_elements_text(models::json) AS m(value) WHERE m.value = @model)");
            cmd.Parameters.AddWithValue("model", model);
        }

        if (filter?.Source is { } source)
        {
            where.Add("(source = @source OR format = @source)");
            cmd.Parameters.AddWithValue("source", source);
        }

        if (filter?.Tier is { } tier)
        {
            where.Add("tier = @tier");
            cmd.Parameters.AddWithValue("tier", (long)tier);
        }

        cmd.CommandText = $"""
            SELECT id, source, format, source_id, title, nodes, instances, models, tier, created, updated, raw_bytes
            FROM {PostgresSchema.Quote(Schema)}.conversations {(where.Count > 0 ? "WHERE " + string.Join(" AND ", where) : "")}
            ORDER BY created COLLATE "C" DESC, k DESC LIMIT @limit
            """;
        cmd.Parameters.AddWithValue("limit", limit);
        var list = new List<ConversationSummary>();
        await using var r = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await r.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            list.Add(new ConversationSummary(
                ContentId.Format((byte[])r[0]), r.GetString(1), r.GetString(2), r.IsDBNull(3) ? "" : r.GetString(3), r.IsDBNull(4) ? null : r.GetString(4),
                (int)r.GetInt64(5), (int)r.GetInt64(6), JsonSerializer.Deserialize<List<string>>(r.GetString(7)) ?? [], "T" + r.GetInt64(8).ToString(System.Globalization.CultureInfo.InvariantCulture),
                r.GetString(9), r.GetString(10), r.GetInt64(11)));
        }

        return list;
    }

    /// <summary>Instances (root-to-leaf paths), newest conversations first, as <c>Archive.ListInstances</c> lists them.</summary>
    public async Task<IReadOnlyList<InstanceSummary>> ListInstancesAsync(int limit, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        await using var c = await OpenCheckedAsync(cancellationToken).ConfigureAwait(false);
        await using var cmd = Command(c, """
            SELECT n.id, c.id, c.title, i.depth, i.tier, n.created, c.created
            FROM {0}.instances i JOIN {0}.conversations c ON c.k = i.conversation JOIN {0}.nodes n ON n.k = i.leaf
            ORDER BY c.created COLLATE "C" DESC, c.k DESC, n.created COLLATE "C", n.id LIMIT @limit
            """);
        cmd.Parameters.AddWithValue("limit", limit);
        var list = new List<InstanceSummary>();
        await using var r = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await r.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            list.Add(new InstanceSummary(ContentId.Format((byte[])r[0]), ContentId.Format((byte[])r[1]), r.IsDBNull(2) ? null : r.GetString(2), (int)r.GetInt64(3),
                "T" + r.GetInt64(4).ToString(System.Globalization.CultureInfo.InvariantCulture), r.IsDBNull(5) ? r.GetString(6) : r.GetString(5)));
        }

        return list;
    }
}
