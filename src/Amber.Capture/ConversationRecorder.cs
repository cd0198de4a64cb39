using System.Text.Json.Nodes;
using Amber.Core.Model;
using Amber.Storage;

namespace Amber.Capture;

/// <summary>
/// Records captured exchanges as conversation trees. API calls are stateless, so the tree is rebuilt from
/// content: prompt nodes carry no time and are chained from a per-tenant root, so a repeated prefix yields
/// the same node ids; an assistant message sent back as history is matched, by <see cref="StitchKey"/>,
/// to the answer stored earlier under the same parent. A repeated prefix with a new answer therefore
/// becomes a branch, and a new prefix a new conversation (format <c>gateway</c>, source = the protocol,
/// source id = the id of the first turn's node: the path through the system prompt, if any, and the
/// first user message, so calls sharing only an application's system prompt stay separate conversations).
/// </summary>
public sealed class ConversationRecorder
{
    public const string Format = "gateway";
    private const int TitleLength = 80;
    private readonly Archive archive;
    private readonly TimeProvider time;

    public ConversationRecorder(Archive archive, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(archive);
        ArgumentNullException.ThrowIfNull(time);
        this.archive = archive;
        this.time = time;
    }

    /// <summary>The node recorded under <paramref name="key"/>, or null.</summary>
    public string? FindNode(string key) => archive.FindNodeByKey(key);

    /// <summary>Stitches the exchange into its tree and commits it; durable when the task completes.</summary>
    public async Task<CaptureResult> RecordAsync(CapturedExchange exchange, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(exchange);
        var start = exchange.ContinuesFrom is { } key ? archive.FindNodeByKey(key) : null;
        var continued = start is null ? null : RecordedConversationOf(start);
        if (continued is null || TenantOf(continued.SourceId) != exchange.Tenant)
        {
            // A continuation key names another tenant's answer (response ids are not secrets): never attach to their tree.
            start = null;
            continued = null;
        }

        if (exchange.Prompt.Count == 0 && start is null)
        {
            throw new ArgumentException("An exchange needs at least one prompt message, or an earlier answer to continue from.", nameof(exchange));
        }

        if (exchange.Answer?.Generation is { } g && exchange.Model is { } m && g.Model != m.Id)
        {
            throw new ArgumentException($"The answer names model {g.Model}, but the exchange's model reference is {m.Id}.", nameof(exchange));
        }

        var now = Amber.Core.Time.Timestamps.Format(time.GetUtcNow());
        var chain = new List<Node>();
        var parent = start;
        string? root = null;
        foreach (var message in exchange.Prompt)
        {
            if (message.Role == "assistant" && archive.FindNodeByKey(StitchKey.Of(parent, exchange.Tenant, message)) is { } stored)
            {
                parent = stored;
                chain.Clear();
                continue;
            }

            var node = message with { Parent = parent };
            if (parent is null && exchange.Tenant is not null)
            {
                node = node with { Meta = With(node.Meta, "tenant", exchange.Tenant) };
            }

            parent = node.ComputeId();
            if (start is null && root is null && !IsPreamble(message.Role))
            {
                root = parent;
            }

            chain.Add(node);
        }

        var identity = continued ?? new ConversationRecord { Format = Format, Source = exchange.Source, SourceId = root ?? parent! };
        var existing = continued ?? archive.GetConversationRecord(identity.Id);
        var record = existing ?? identity with { Created = now, Title = exchange.Title ?? TitleOf(exchange.Prompt) };

        var batch = new CommitBatch("gateway:" + exchange.Source) { Tenant = exchange.Tenant };
        var part = batch.AddConversation(record);
        foreach (var blob in exchange.Blobs)
        {
            batch.AddBlob(blob);
        }

        string? rawId = exchange.Raw.IsEmpty ? null : part.AddRaw(exchange.Raw);
        if (exchange.Model is { } model)
        {
            batch.AddModel(model);
        }

        if (parent is not null && chain.Count == 0)
        {
            // The whole prompt is already stored; list its end so the commit names where the answer attaches.
            part.AddNode(archive.GetNode(parent) ?? throw new InvalidOperationException($"node {parent} is indexed but cannot be read."));
        }

        foreach (var node in chain)
        {
            part.AddNode(node);
        }

        var instance = parent!;
        if (exchange.Answer is { } answer)
        {
            var keys = new JsonArray(StitchKey.Of(parent, exchange.Tenant, answer));
            foreach (var k in exchange.AnswerKeys)
            {
                keys.Add(k);
            }

            var meta = answer.Meta?.DeepClone().AsObject() ?? [];
            if (rawId is not null)
            {
                meta["exchange"] = rawId;
            }

            meta["keys"] = keys;
            instance = part.AddNode(answer with { Parent = parent, Created = answer.Created ?? now, Meta = meta });
        }

        var commit = await archive.CommitAsync(batch, ct).ConfigureAwait(false);
        return new CaptureResult(record.Id, instance, existing is null, commit);
    }

    /// <summary>The recorder's conversation that holds <paramref name="nodeId"/>, or null.</summary>
    private ConversationRecord? RecordedConversationOf(string nodeId)
        => archive.ConversationsOf(nodeId).Select(archive.GetConversationRecord).FirstOrDefault(r => r?.Format == Format);

    /// <summary>
    /// The tenant recorded on the root of the path that ends at <paramref name="nodeId"/>. Called with a
    /// conversation's first-turn node, so the walk covers at most its preamble.
    /// </summary>
    private string? TenantOf(string nodeId)
    {
        var node = archive.GetNode(nodeId);
        while (node?.Parent is { } parent)
        {
            node = archive.GetNode(parent);
        }

        return node?.Meta?["tenant"]?.GetValue<string>();
    }

    /// <summary>
    /// Instructions that many conversations share (an application's fixed system prompt) do not identify a
    /// conversation: its identity is the path through its first turn.
    /// </summary>
    private static bool IsPreamble(string role) => role is "system" or "developer" or "tools";

    private static string? TitleOf(IReadOnlyList<Node> prompt)
    {
        var text = prompt.FirstOrDefault(n => n.Role == "user")?.SearchText?.ReplaceLineEndings(" ").Trim();
        return string.IsNullOrEmpty(text) ? null : text.Length <= TitleLength ? text : text[..TitleLength] + "…";
    }

    private static JsonObject With(JsonObject? meta, string name, string value)
    {
        var copy = meta?.DeepClone().AsObject() ?? [];
        copy[name] = value;
        return copy;
    }
}
