using System.Text.Json;
using System.Text.Json.Nodes;
using Amber.Core.Json;
using Amber.Core.Model;
using Amber.Import.Formats.Claude;
using Amber.Import.Formats.ShareGpt;

namespace Amber.Import.Formats.ClaudeCode;

/// <summary>
/// Turns the records of one session file into conversations: the main session (source id = its sessionId) and
/// one per sub-agent whose sidechain lines it holds (source id = sessionId/agent-&lt;agentId&gt;). Records with a
/// uuid become nodes linked by parentUuid; summaries and the records without a uuid (file-history-snapshot,
/// queue-operation) are described in the main conversation's meta and kept in the raw lines.
/// </summary>
internal sealed class ClaudeCodeSession
{
    private readonly ImportInput input;
    private readonly List<ClaudeCodeLine> lines;
    private readonly ReadOnlyMemory<byte> raw;

    private ClaudeCodeSession(ImportInput input, List<ClaudeCodeLine> lines, ReadOnlyMemory<byte> raw)
    {
        this.input = input;
        this.lines = lines;
        this.raw = raw;
    }

    public static IEnumerable<ImportedConversation> Read(ImportInput input, CancellationToken ct)
    {
        var (lines, raw) = ClaudeCodeLines.Read(input, ct);
        try
        {
            return new ClaudeCodeSession(input, lines, raw).Map();
        }
        catch (Exception e) when (e is JsonException or ArgumentException or InvalidOperationException or FormatException or CanonicalJsonException)
        {
            throw ImportException.At(input, "session", e.Message, e);
        }
    }

    private List<ImportedConversation> Map()
    {
        var nodeLines = lines.Where(l => l.Uuid is not null).ToList();
        var sessionId = nodeLines.Where(l => !l.IsSidechain).Select(l => l.SessionId).FirstOrDefault(s => s is not null)
            ?? lines.Select(l => l.SessionId).FirstOrDefault(s => s is not null)
            ?? throw ImportException.At(input, "line 1", "not a Claude Code session: no record has a \"sessionId\"");

        var groups = nodeLines.GroupBy(Key, StringComparer.Ordinal).OrderBy(g => g.Key.Length == 0 ? 0 : 1).ToList();
        var result = new List<ImportedConversation>();
        var mainId = ConversationRecord.IdentityJson(ClaudeCodeFormat.FormatName, ClaudeCodeFormat.SourceName, sessionId);
        foreach (var group in groups)
        {
            var sourceId = group.Key.Length == 0 ? sessionId : $"{sessionId}/{group.Key}";
            var models = new Dictionary<string, ModelReference>(StringComparer.Ordinal);
            var nodes = Tree(group.ToList(), sessionId, models);
            var meta = Describe(group.ToList());
            if (group.Key.Length == 0 || result.Count == 0 && groups.All(g => g.Key.Length > 0))
            {
                Others(meta, group);
            }

            if (group.Key.Length > 0)
            {
                meta["parent_session"] = sessionId;
                meta["parent_conversation"] = Core.Hashing.ContentId.OfCanonical(mainId);
                if (group.First().AgentId is { } agentId)
                {
                    meta["agent_id"] = agentId;
                    if (ClaudeCodeSubagents.SpawningToolUse(input, lines, sessionId, agentId) is { } toolUse)
                    {
                        meta["spawned_by_tool_use"] = toolUse;
                    }
                }
            }

            result.Add(new ImportedConversation
            {
                Record = new ConversationRecord
                {
                    Format = ClaudeCodeFormat.FormatName,
                    Source = ClaudeCodeFormat.SourceName,
                    SourceId = sourceId,
                    Title = Title(group.ToList(), nodes),
                    Created = group.Select(l => ClaudeTime.Parse(ClaudeCodeLines.String(l.Json, "timestamp"))).Where(t => t is not null).Min() is { } first
                        ? Amber.Core.Time.Timestamps.FormatSourceTime(first)
                        : null,
                    Updated = group.Select(l => ClaudeTime.Parse(ClaudeCodeLines.String(l.Json, "timestamp"))).Where(t => t is not null).Max() is { } last
                        ? Amber.Core.Time.Timestamps.FormatSourceTime(last)
                        : null,
                    Meta = meta,
                },
                Nodes = nodes,
                Raw = raw,
                Models = [.. models.Values],
                Notes = NotPlaced(meta),
            });
        }

        if (result.Count == 0)
        {
            throw ImportException.At(input, "session " + sessionId, "no message records (none has a \"uuid\")");
        }

        return result;
    }

    /// <summary>"" for the main session; "agent-&lt;id&gt;" for a sub-agent's sidechain lines.</summary>
    private static string Key(ClaudeCodeLine line) => line.IsSidechain ? "agent-" + (line.AgentId ?? "sidechain") : "";

    /// <summary>Parent first, siblings in file order; a compaction boundary hangs under its logicalParentUuid.</summary>
    private List<Node> Tree(List<ClaudeCodeLine> group, string sessionId, Dictionary<string, ModelReference> models)
    {
        var byUuid = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < group.Count; i++)
        {
            byUuid.TryAdd(group[i].Uuid!, i);
        }

        var parents = new int[group.Count];
        var resolved = new bool[group.Count];
        var children = new List<int>[group.Count];
        var roots = new List<int>();
        for (var i = 0; i < group.Count; i++)
        {
            children[i] = [];
            var o = group[i].Json;
            var p = ClaudeCodeLines.String(o, "parentUuid");
            parents[i] = -1;
            if (p is not null && byUuid.TryGetValue(p, out var j) && j != i)
            {
                parents[i] = j;
                resolved[i] = true;
            }
            else if (p is null && o["parentUuid"] is null or JsonValue && ClaudeCodeLines.String(o, "logicalParentUuid") is { } logical && byUuid.TryGetValue(logical, out var k) && k != i)
            {
                parents[i] = k; // parentUuid stays in meta (null): the source cut the chain here
            }
        }

        for (var i = 0; i < group.Count; i++)
        {
            (parents[i] < 0 ? roots : children[parents[i]]).Add(i);
        }

        var ids = new string?[group.Count];
        var nodes = new List<Node>(group.Count);
        var stack = new Stack<int>(Enumerable.Reverse(roots));
        while (stack.Count > 0)
        {
            var i = stack.Pop();
            var line = group[i];
            var node = ClaudeCodeNodeMapper.Map(line, parents[i] < 0 ? null : ids[parents[i]], resolved[i], sessionId, models, what => ImportException.At(input, $"line {line.Number} ({line.Uuid})", what));
            ids[i] = node.ComputeId();
            nodes.Add(node);
            for (var k = children[i].Count - 1; k >= 0; k--)
            {
                stack.Push(children[i][k]);
            }
        }

        if (nodes.Count < group.Count)
        {
            var stuck = Enumerable.Range(0, group.Count).Where(i => ids[i] is null).Select(i => $"line {group[i].Number}");
            throw ImportException.At(input, string.Join(", ", stuck.Take(5)), "these records form a parentUuid cycle");
        }

        return nodes;
    }

    /// <summary>The session's working folder, git branch and CLI version (as of its first record), as conversation meta.</summary>
    private static JsonObject Describe(List<ClaudeCodeLine> group)
    {
        var meta = new JsonObject();
        foreach (var (key, name) in new[] { ("cwd", "cwd"), ("gitBranch", "git_branch"), ("version", "version") })
        {
            if (group.Select(l => ClaudeCodeLines.String(l.Json, key)).FirstOrDefault(v => v is not null) is { } value)
            {
                meta[name] = value;
            }
        }

        return meta;
    }

    /// <summary>The records without a uuid (counted per type in meta "not_mapped"), as notes for the import summary: no tree has a place for them.</summary>
    private static List<ImportNote> NotPlaced(JsonObject meta)
        => meta["not_mapped"] is JsonObject counts
            ? [.. counts.SelectMany(p => Enumerable.Repeat(new ImportNote(ImportNoteKind.UnplacedRecord, $"\"{p.Key}\" records (no uuid)"), (int)p.Value!))]
            : [];

    /// <summary>Summaries (verbatim) and a count per type of the records that are not nodes (kept in the raw lines only).</summary>
    private void Others(JsonObject meta, IEnumerable<ClaudeCodeLine> group)
    {
        var summaries = new JsonArray();
        var notMapped = new SortedDictionary<string, int>(StringComparer.Ordinal);
        foreach (var line in lines.Where(l => l.Uuid is null))
        {
            if (line.Type == "summary")
            {
                summaries.Add(line.Json.DeepClone());
            }
            else
            {
                var type = line.Type ?? "unknown";
                notMapped[type] = notMapped.GetValueOrDefault(type) + 1;
            }
        }

        if (summaries.Count > 0)
        {
            meta["summaries"] = summaries;
        }

        if (notMapped.Count > 0)
        {
            meta["not_mapped"] = new JsonObject(notMapped.Select(p => KeyValuePair.Create(p.Key, (JsonNode?)p.Value)));
        }
    }

    /// <summary>The newest summary of one of this conversation's leaves, else its first typed prompt (not a slash command's markup).</summary>
    private string? Title(List<ClaudeCodeLine> group, List<Node> nodes)
    {
        var uuids = group.Select(l => l.Uuid!).ToHashSet(StringComparer.Ordinal);
        var summary = lines.Where(l => l.Type == "summary" && ClaudeCodeLines.String(l.Json, "leafUuid") is { } leaf && uuids.Contains(leaf))
            .Select(l => ClaudeCodeLines.String(l.Json, "summary")).LastOrDefault(s => !string.IsNullOrWhiteSpace(s));
        return summary ?? DatasetRecords.Title(nodes.FirstOrDefault(n => n.Role == "user" && !n.Flags.Contains(NodeFlags.Hidden) && n.Content.Any(c => c is TextBlock) && !n.SearchText.TrimStart().StartsWith('<'))?.SearchText);
    }
}
