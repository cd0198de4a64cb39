using System.Text.Json.Nodes;
using Amber.Core.Model;

namespace Amber.Storage.Reading;

/// <summary>The JSON shapes of `--json` output and of the HTTP API, written once so both agree.</summary>
public static class ReadingJson
{
    /// <summary>Compact JSON with non-ASCII text written as is (the CLI and the API print the same bytes), of any size the archive holds.</summary>
    public static string Serialize(JsonNode node) => Amber.Core.Json.JsonText.Write(node);

    public static JsonObject Summary(ConversationSummary s) => new()
    {
        ["id"] = s.Id,
        ["source"] = s.Source,
        ["format"] = s.Format,
        ["source_id"] = s.SourceId,
        ["title"] = s.Title,
        ["nodes"] = s.Nodes,
        ["instances"] = s.Instances,
        ["models"] = new JsonArray(s.Models.Select(m => (JsonNode)m).ToArray()),
        ["tier"] = s.Tier,
        ["created"] = s.Created,
        ["updated"] = s.Updated,
        ["raw_bytes"] = s.RawBytes,
    };

    public static JsonObject Instance(InstanceSummary i) => new()
    {
        ["id"] = i.Id,
        ["conversation"] = i.Conversation,
        ["title"] = i.Title,
        ["depth"] = i.Depth,
        ["tier"] = i.Tier,
        ["created"] = i.Created,
    };

    public static JsonObject Node(string id, Node node)
    {
        var o = node.ToJson();
        o.Remove("type");
        var result = new JsonObject { ["id"] = id };
        foreach (var (k, v) in o)
        {
            result[k] = v?.DeepClone();
        }

        return result;
    }

    public static JsonObject Conversation(ConversationView view)
    {
        var o = Summary(view.Summary);
        o["record"] = view.Record.ToJson();
        o["raw"] = new JsonArray(view.Raw.Select(r => (JsonNode)r).ToArray());
        o["instance_list"] = new JsonArray(view.Instances.Select(i => (JsonNode)Instance(i)).ToArray());
        o["model_references"] = new JsonObject(view.Models.Select(m => new KeyValuePair<string, JsonNode?>(m.Key, m.Value.ToJson())));
        var ordered = new List<JsonNode>();
        var stack = new Stack<string>(view.Tree.Roots.Reverse());
        while (stack.Count > 0)
        {
            var id = stack.Pop();
            ordered.Add(Node(id, view.Tree.Nodes[id]));
            var kids = view.Tree.ChildrenOf(id);
            for (var k = kids.Count - 1; k >= 0; k--)
            {
                stack.Push(kids[k]);
            }
        }

        o["node_list"] = new JsonArray(ordered.ToArray());
        return o;
    }

    public static JsonObject Hit(SearchHit h) => new()
    {
        ["conversation"] = h.Conversation,
        ["title"] = h.Title,
        ["node"] = h.Node,
        ["role"] = h.Role,
        ["snippet"] = h.Snippet,
        ["rank"] = h.Rank,
    };

    public static JsonObject Stats(ArchiveStats s) => new()
    {
        ["conversations"] = s.Conversations,
        ["instances"] = s.Instances,
        ["nodes"] = s.Nodes,
        ["commits"] = s.Commits,
        ["blobs"] = s.Blobs,
        ["raw_bytes"] = s.RawBytes,
        ["stored_bytes"] = s.StoredBytes,
        ["segment_bytes"] = s.SegmentBytes,
        ["external_blob_bytes"] = s.ExternalBlobBytes,
        ["index_bytes"] = s.IndexBytes,
        ["ratio"] = Math.Round(s.Ratio, 4),
        ["segments"] = s.Segments,
        ["dictionaries"] = s.Dictionaries,
        ["instances_by_tier"] = Counts(s.InstancesByTier),
        ["conversations_by_tier"] = Counts(s.ConversationsByTier),
        ["turns_by_model"] = Counts(s.TurnsByModel),
        ["index_lag"] = IndexLag(s.IndexLag),
    };

    public static JsonObject IndexLag(IndexLag lag) => new()
    {
        ["acknowledged_seq"] = lag.AcknowledgedSequence,
        ["indexed_seq"] = lag.IndexedSequence,
        ["commits"] = lag.Commits,
        ["bytes"] = lag.Bytes,
    };

    private static JsonObject Counts(IReadOnlyDictionary<string, long> d)
        => new(d.Select(p => new KeyValuePair<string, JsonNode?>(p.Key, p.Value)));
}
