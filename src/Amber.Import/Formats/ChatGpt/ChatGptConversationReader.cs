using System.Text.Json;
using System.Text.Json.Nodes;
using Amber.Core.Hashing;
using Amber.Core.Json;
using Amber.Core.Model;
using Amber.Import.Json;

namespace Amber.Import.Formats.ChatGpt;

/// <summary>
/// Normalizes one ChatGPT conversation object. Every mapping entry with a message becomes a node; an
/// entry without one (the "client-created-root") is not a node, so its children attach to the nearest
/// ancestor that has a message, or become roots.
/// </summary>
internal static class ChatGptConversationReader
{
    /// <summary>Conversation fields the record itself carries, or that are bulky and stay in the raw object only.</summary>
    private static readonly HashSet<string> NotInConversationMeta = new(StringComparer.Ordinal)
    {
        "id", "title", "create_time", "mapping", "moderation_results", "safe_urls", "blocked_urls",
    };

    /// <summary>Of <see cref="NotInConversationMeta"/>, those no record or node carries: the raw object alone keeps them.</summary>
    private static readonly string[] RawOnlyFields = ["moderation_results", "safe_urls", "blocked_urls"];

    /// <summary>Mapping entry members read: its key and id name the node, parent and children link it, message is the node.</summary>
    private static readonly MappedFields MappingEntry = new("mapping[]", "id", "parent", "children", "message");

    /// <summary>Message fields the node models directly; every other field goes into the node's meta.</summary>
    private static readonly HashSet<string> ModelledMessageFields = new(StringComparer.Ordinal) { "id", "author", "content", "create_time" };

    public static ImportedConversation Read(ImportInput input, JsonRecord record, JsonObject source, ChatGptAssets assets)
    {
        var where = record.Where;
        try
        {
            var sourceId = StringOf(source, "id") ?? StringOf(source, "conversation_id");
            if (source["mapping"] is not JsonObject mapping)
            {
                throw ImportException.At(input, sourceId is { Length: > 0 } ? $"conversation {sourceId} ({where})" : where, "not a ChatGPT conversation: it has no \"mapping\" object of messages");
            }

            // The 2023 backend shape carries no id: name it by its content, as the datasets without ids are.
            var derived = sourceId is not { Length: > 0 };
            if (derived)
            {
                sourceId = ContentId.Of(CanonicalJson.Canonicalize(record.Bytes.Span));
            }

            where = $"conversation {sourceId} ({record.Where})";
            var conversation = Normalize(input, where, record, source, sourceId!, mapping, assets);
            if (!derived)
            {
                return conversation;
            }

            conversation.Record.Meta!["source_id_derived"] = "sha256 of the conversation's canonical JSON";
            return conversation with { Notes = [.. conversation.Notes, new ImportNote(ImportNoteKind.Decision, ImportNotes.IdDerivedFromContent)] };
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or FormatException or CanonicalJsonException or JsonException)
        {
            throw ImportException.At(input, where, e.Message, e);
        }
    }

    private static ImportedConversation Normalize(ImportInput input, string where, JsonRecord record, JsonObject source, string sourceId, JsonObject mapping, ChatGptAssets assets)
    {
        // Read the entries: key -> (parent key, message).
        var entries = new Dictionary<string, (string? Parent, JsonObject? Message)>(StringComparer.Ordinal);
        var order = new List<string>();
        var unmapped = new List<string>();
        foreach (var (key, value) in mapping)
        {
            if (value is not JsonObject entry)
            {
                throw ImportException.At(input, where, $"mapping entry \"{key}\" is not an object");
            }

            var parent = entry["parent"] switch
            {
                null => null,
                JsonValue v when v.TryGetValue(out string? p) => p,
                _ => throw ImportException.At(input, where, $"mapping entry \"{key}\": \"parent\" is not a string or null"),
            };
            var message = entry["message"] switch
            {
                null => null,
                JsonObject m => m,
                _ => throw ImportException.At(input, where, $"mapping entry \"{key}\": \"message\" is not an object or null"),
            };
            unmapped.AddRange(MappingEntry.Unmapped(entry));
            entries[key] = (parent, message);
            order.Add(key);
        }

        // The nearest ancestor with a message is each node's parent; entries without one are skipped over.
        var parentOf = new Dictionary<string, string?>(StringComparer.Ordinal);
        var missingParent = new Dictionary<string, string>(StringComparer.Ordinal);
        var children = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        var roots = new List<string>();
        foreach (var key in order)
        {
            if (entries[key].Message is null)
            {
                continue;
            }

            string? effective = null;
            var p = entries[key].Parent;
            for (var steps = 0; p is not null; steps++)
            {
                if (steps > entries.Count)
                {
                    throw ImportException.At(input, where, $"the parent links above mapping entry \"{key}\" form a cycle");
                }

                if (!entries.TryGetValue(p, out var up))
                {
                    missingParent[key] = p;
                    break;
                }

                if (up.Message is not null)
                {
                    effective = p;
                    break;
                }

                p = up.Parent;
            }

            parentOf[key] = effective;
            if (effective is null)
            {
                roots.Add(key);
            }
            else
            {
                if (!children.TryGetValue(effective, out var list))
                {
                    children[effective] = list = [];
                }

                list.Add(key);
            }
        }

        // Parent first: breadth first from the roots. A node not reached sits on a cycle of parent links.
        var defaultSlug = StringOf(source, "default_model_slug");
        var nodes = new List<Node>(parentOf.Count);
        var canonical = new List<CanonicalNode>(parentOf.Count);
        var ids = new Dictionary<string, string>(StringComparer.Ordinal);
        var models = new Dictionary<string, ModelReference>(StringComparer.Ordinal);
        var notes = new List<ImportNote>();
        var blobs = new Dictionary<string, ReadOnlyMemory<byte>>(StringComparer.Ordinal);
        var queue = new Queue<string>(roots);
        while (queue.Count > 0)
        {
            var key = queue.Dequeue();
            var parentId = parentOf[key] is { } pk ? ids[pk] : null;
            var node = BuildNode(input, where, key, entries[key].Message!, parentId, missingParent.GetValueOrDefault(key), defaultSlug, assets, models, blobs, notes);
            var prepared = CanonicalNode.Of(node);
            ids[key] = prepared.Id;
            nodes.Add(node);
            canonical.Add(prepared);
            foreach (var child in children.GetValueOrDefault(key) ?? [])
            {
                queue.Enqueue(child);
            }
        }

        if (nodes.Count != parentOf.Count)
        {
            var stuck = parentOf.Keys.First(k => !ids.ContainsKey(k));
            throw ImportException.At(input, where, $"the parent links of mapping entry \"{stuck}\" form a cycle");
        }

        var conversation = new ConversationRecord
        {
            Format = ChatGptFormat.FormatName,
            Source = ChatGptFormat.SourceName,
            SourceId = sourceId,
            Title = StringOf(source, "title"),
            Created = ChatGptTime.ToRfc3339(source["create_time"]),
            Updated = ChatGptTime.ToRfc3339(source["update_time"]),
            Meta = ConversationMeta(source, sourceId),
        };
        _ = CanonicalJson.Canonicalize(conversation.ToJson()); // a title that cannot be canonicalized fails here, before any commit

        return new ImportedConversation
        {
            Record = conversation,
            Nodes = nodes,
            Canonical = canonical,
            Raw = record.Bytes,
            Models = [.. models.Values],
            Blobs = [.. blobs.Values],
            Notes = [.. notes, .. UnmappedFields(source), .. MappedFields.Notes(unmapped)],
        };
    }

    /// <summary>Conversation fields kept in the raw object only (bulky moderation and URL lists), when they hold anything.</summary>
    private static IEnumerable<ImportNote> UnmappedFields(JsonObject source)
        => RawOnlyFields.Where(f => source[f] is JsonArray { Count: > 0 } or JsonObject { Count: > 0 }).Select(f => new ImportNote(ImportNoteKind.UnmappedField, f));

    private static Node BuildNode(
        ImportInput input,
        string where,
        string key,
        JsonObject message,
        string? parentId,
        string? missingParent,
        string? defaultSlug,
        ChatGptAssets assets,
        Dictionary<string, ModelReference> models,
        Dictionary<string, ReadOnlyMemory<byte>> blobs,
        List<ImportNote> notes)
    {
        var role = message["author"] is JsonObject author ? StringOf(author, "role") : null;
        if (role is null || message["author"] is not JsonObject authorObject)
        {
            throw ImportException.At(input, where, $"message \"{key}\" has no author.role string");
        }

        if (message["content"] is not JsonObject content || StringOf(content, "content_type") is not { } contentType)
        {
            throw ImportException.At(input, where, $"message \"{key}\" has no content object with a content_type string");
        }

        var mapped = ChatGptContentMapper.Map(contentType, content, assets);
        foreach (var asset in mapped.Assets)
        {
            blobs.TryAdd(asset.Blob, asset.Bytes);
        }

        // Meta: the source's ids, the author's other fields, and every message field not modelled above.
        var meta = new JsonObject { ["source_id"] = StringOf(message, "id") ?? key };
        if (StringOf(message, "id") is { } mid && mid != key)
        {
            meta["node_id"] = key;
        }

        if (missingParent is not null)
        {
            meta["missing_parent"] = missingParent;
        }

        foreach (var (field, value) in authorObject)
        {
            if (field != "role" && value is not null && value is not JsonObject { Count: 0 })
            {
                meta["author_" + field] = value.DeepClone();
            }
        }

        foreach (var (field, value) in message)
        {
            if (!ModelledMessageFields.Contains(field) && value is not null)
            {
                meta[field] = value.DeepClone();
            }
        }

        var created = ChatGptTime.ToRfc3339(message["create_time"]);
        if (created is null && message["create_time"] is { } unreadable)
        {
            meta["create_time"] = unreadable.DeepClone();
        }

        meta["content_type"] = contentType;
        if (mapped.Rest is not null)
        {
            meta["content"] = mapped.Rest;
        }

        if (mapped.Parts is not null)
        {
            meta["parts"] = mapped.Parts;
        }

        // Flags.
        var metadata = message["metadata"] as JsonObject;
        var finish = metadata?["finish_details"] is JsonObject fd ? StringOf(fd, "type") : null;
        var flags = new List<string>(mapped.Flags);
        if (role == "system")
        {
            flags.Add(NodeFlags.System);
            flags.Add(NodeFlags.Hidden);
        }

        if (metadata?["is_visually_hidden_from_conversation"] is JsonValue hv && hv.TryGetValue(out bool hidden) && hidden)
        {
            flags.Add(NodeFlags.Hidden);
        }

        if (mapped.Blocks.Count == 0)
        {
            flags.Add(NodeFlags.Empty);
        }

        if (finish == "interrupted")
        {
            flags.Add(NodeFlags.Interrupted);
        }

        // Generated turns name the model the source states (the message's slug, else the conversation's default).
        GenerationRecord? generation = null;
        if (role == "assistant")
        {
            var model = ModelOf(metadata is null ? null : StringOf(metadata, "model_slug"), defaultSlug);
            if (model.Inferred is not null)
            {
                notes.Add(new ImportNote(ImportNoteKind.InferredModel, model.Requested is null ? $"no model_slug; default_model_slug \"{defaultSlug}\" is not a model" : $"{model.Requested} from default_model_slug"));
            }

            models.TryAdd(model.Id, model);
            JsonObject? parameters = null;
            if (metadata?["thinking_effort"] is { } effort)
            {
                parameters = new JsonObject { ["thinking_effort"] = effort.DeepClone() };
            }

            generation = new GenerationRecord { Model = model.Id, FinishReason = finish, Parameters = parameters };
        }

        return new Node
        {
            Parent = parentId,
            Role = role,
            Content = mapped.Blocks,
            Created = created,
            Generation = generation,
            Flags = flags.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList(),
            Meta = meta,
        };
    }

    /// <summary>
    /// The message's own slug; else the conversation's default, marked inferred. The router setting "auto" (or
    /// no default) names no model: the turn is credited to an unnamed OpenAI model, marked inferred, not to "auto".
    /// </summary>
    private static ModelReference ModelOf(string? slug, string? defaultSlug)
        => slug is not null ? new ModelReference { Provider = "openai", Requested = slug }
            : defaultSlug is null or "auto" ? new ModelReference { Provider = "openai", Inferred = "unknown: no model_slug, and default_model_slug is " + (defaultSlug is null ? "absent" : "\"auto\"") }
            : new ModelReference { Provider = "openai", Requested = defaultSlug, Inferred = "default_model_slug" };

    private static JsonObject ConversationMeta(JsonObject source, string sourceId)
    {
        var meta = new JsonObject();
        foreach (var (field, value) in source)
        {
            if (NotInConversationMeta.Contains(field) || value is null)
            {
                continue;
            }

            if (field == "conversation_id" && value is JsonValue v && v.TryGetValue(out string? cid) && cid == sourceId)
            {
                continue;
            }

            meta[field] = value.DeepClone();
        }

        return meta;
    }

    private static string? StringOf(JsonObject o, string name) => o[name] is JsonValue v && v.TryGetValue(out string? s) ? s : null;
}
