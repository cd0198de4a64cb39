using System.Text.Json;
using System.Text.Json.Nodes;
using Amber.Core.Json;
using Amber.Import.Json;

namespace Amber.Import.Formats.ChatGpt;

/// <summary>
/// ChatGPT "Export data": conversations.json (an array of conversations, or one conversation object),
/// alone, in a folder or inside the export zip beside its asset files. Each conversation's mapping is a
/// tree of messages; every message becomes a node, and the assets its parts point at become blobs.
/// </summary>
public sealed class ChatGptFormat : IConversationFormat
{
    public const string FormatName = "chatgpt";

    /// <summary>The stable origin of every ChatGPT export, so a newer export merges into the same conversations.</summary>
    public const string SourceName = "chatgpt.com";

    /// <summary>Files of the export kept beside its conversations (as companions of the first one).</summary>
    private static readonly string[] CompanionFiles = ["user.json", "message_feedback.json", "shared_conversations.json"];

    /// <summary>Conversations normalized ahead of the one the importer takes: enough to keep every core busy, few enough to bound memory.</summary>
    private static int NormalizeAhead => Math.Max(1, Environment.ProcessorCount);

    public string Name => FormatName;

    public FormatShape Shape { get; } = new(
        "a JSON array of conversations (conversations.json of a ChatGPT export), each an object with a \"mapping\" message tree, \"current_node\", \"title\" and \"create_time\"",
        true,
        ["mapping", "current_node", "title", "create_time", "update_time"]);

    /// <summary>A "mapping" tree is specific to ChatGPT, so it is tried early.</summary>
    public int DetectionOrder => 10;

    public bool Detect(ImportInput input, ReadOnlySpan<byte> head)
    {
        var start = 0;
        if (head.StartsWith("\uFEFF"u8))
        {
            start = 3;
        }

        while (start < head.Length && head[start] is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n')
        {
            start++;
        }

        if (start >= head.Length || head[start] is not ((byte)'[' or (byte)'{'))
        {
            return false;
        }

        var body = head[start..];
        return HasObjectMember(body, "\"mapping\""u8)
            || (body.IndexOf("\"current_node\""u8) >= 0 && body.IndexOf("\"conversation_id\""u8) >= 0);
    }

    public IEnumerable<ImportedConversation> Read(ImportInput input, CancellationToken cancellationToken)
    {
        var assets = new ChatGptAssets(input);
        var first = true;

        // Records are split and checked on this thread; the next few are normalized on the other cores meanwhile.
        var records = JsonRecordReader.ReadJson(input, cancellationToken);
        foreach (var normalized in OrderedParallel.Map(records, record => Normalize(input, record, assets), NormalizeAhead))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var conversation = normalized;
            if (first)
            {
                first = false;
                var companions = CompanionFiles.Select(input.ReadSibling).OfType<byte[]>().Select(b => (ReadOnlyMemory<byte>)b).ToList();
                if (companions.Count > 0)
                {
                    conversation = conversation with { Companions = companions };
                }
            }

            yield return conversation;
        }
    }

    private static ImportedConversation Normalize(ImportInput input, JsonRecord record, ChatGptAssets assets)
    {
        try
        {
            return ChatGptConversationReader.Read(input, record, Parse(input, record, record.Bytes.Span), assets);
        }
        catch (ImportException e) when (e.InnerException is InvalidOperationException or CanonicalJsonException)
        {
            // Most likely an escaped lone surrogate: normalize a repaired copy; the raw stays the original bytes.
            var (repaired, count) = ChatGptSurrogates.Repair(record.Bytes.Span);
            if (count == 0)
            {
                throw;
            }

            var conversation = ChatGptConversationReader.Read(input, record, Parse(input, record, repaired), assets);
            conversation.Record.Meta!["lone_surrogates_replaced"] = count;
            return conversation;
        }
    }

    private static JsonObject Parse(ImportInput input, JsonRecord record, ReadOnlySpan<byte> json)
    {
        try
        {
            return JsonNode.Parse(json, documentOptions: new JsonDocumentOptions { MaxDepth = Amber.Core.Json.JsonLimits.MaxDepth + 1 }) as JsonObject
                ?? throw ImportException.At(input, record.Where, "not a ChatGPT conversation: expected a JSON object");
        }
        catch (JsonException e)
        {
            throw ImportException.At(input, record.Where, "invalid JSON: " + e.Message, e);
        }
    }

    /// <summary>True if <paramref name="name"/> occurs as a member name whose value is an object ("name" : {).</summary>
    private static bool HasObjectMember(ReadOnlySpan<byte> body, ReadOnlySpan<byte> name)
    {
        while (true)
        {
            var at = body.IndexOf(name);
            if (at < 0)
            {
                return false;
            }

            var rest = body[(at + name.Length)..].TrimStart(" \t\r\n"u8);
            if (rest.Length > 0 && rest[0] == (byte)':')
            {
                rest = rest[1..].TrimStart(" \t\r\n"u8);
                if (rest.Length > 0 && rest[0] == (byte)'{')
                {
                    return true;
                }
            }

            body = body[(at + name.Length)..];
        }
    }
}
