using System.Text.Json.Nodes;
using Amber.Core.Model;

namespace Amber.Import.Formats.ChatGpt;

/// <summary>
/// Maps a message's <c>content</c> object, by its content_type, to content blocks. Fields the blocks do
/// not carry stay in the node's meta; a content type (or part) this mapper does not know, or a known one
/// of an unexpected shape, becomes one <see cref="OpaqueBlock"/> holding it whole — nothing is dropped.
/// </summary>
internal static class ChatGptContentMapper
{
    /// <summary>The provider named by opaque blocks.</summary>
    public const string Provider = "chatgpt";

    /// <summary>Flag of a system_error message (a tool that failed).</summary>
    public const string ErrorFlag = "error";

    public static ChatGptContent Map(string contentType, JsonObject content, ChatGptAssets assets)
    {
        var m = new Mapping(content);
        var ok = contentType switch
        {
            "text" => m.Parts(assets, multimodal: false),
            "multimodal_text" => m.Parts(assets, multimodal: true),
            "code" or "execution_output" or "tether_quote" => m.Text("text"),
            "system_error" => m.Text("text") && m.Flag(ErrorFlag),
            "tether_browsing_display" => m.Text("result"),
            "thoughts" => m.Thoughts(),
            "reasoning_recap" => m.Thinking("content"),
            "user_editable_context" => m.Text("user_profile") && m.Text("user_instructions") && m.Flag(NodeFlags.Hidden),
            _ => false,
        };

        return ok ? m.Result() : new ChatGptContent([new OpaqueBlock(Provider, contentType, content.DeepClone())], null, null, [], []);
    }

    /// <summary>The blocks of one content object as they are built, and the fields they consumed.</summary>
    private sealed class Mapping(JsonObject content)
    {
        private readonly List<ContentBlock> blocks = [];
        private readonly HashSet<string> consumed = new(StringComparer.Ordinal) { "content_type" };
        private readonly JsonObject replaced = [];
        private readonly JsonArray parts = [];
        private readonly List<string> flags = [];
        private readonly List<ChatGptAsset> assetList = [];

        public ChatGptContent Result()
        {
            var rest = new JsonObject();
            foreach (var (key, value) in content)
            {
                if (replaced.ContainsKey(key))
                {
                    rest[key] = replaced[key]!.DeepClone();
                }
                else if (!consumed.Contains(key))
                {
                    rest[key] = value?.DeepClone();
                }
            }

            return new ChatGptContent(blocks, rest.Count > 0 ? rest : null, parts.Count > 0 ? parts : null, flags, assetList);
        }

        public bool Flag(string flag)
        {
            flags.Add(flag);
            return true;
        }

        /// <summary>A string field as a text block (none if empty); absent or null is fine, another type is not.</summary>
        public bool Text(string key) => Str(key, s => new TextBlock(s));

        public bool Thinking(string key) => Str(key, s => new ThinkingBlock(s));

        /// <summary>thoughts[]: each thought's content becomes a thinking block; its summary and the rest stay in meta.</summary>
        public bool Thoughts()
        {
            if (content["thoughts"] is not JsonArray thoughts)
            {
                return content["thoughts"] is null;
            }

            var kept = new JsonArray();
            foreach (var t in thoughts)
            {
                if (t is not JsonObject o || (o["content"] is { } c && !IsString(c)))
                {
                    return false;
                }

                var text = (string?)o["content"] ?? string.Empty;
                if (text.Length > 0)
                {
                    blocks.Add(new ThinkingBlock(text));
                }

                var rest = new JsonObject();
                foreach (var (key, value) in o)
                {
                    if (key != "content")
                    {
                        rest[key] = value?.DeepClone();
                    }
                }

                kept.Add(rest);
            }

            replaced["thoughts"] = kept;
            return true;
        }

        /// <summary>parts[]: strings become text blocks; asset pointers become blob blocks when the file is there.</summary>
        public bool Parts(ChatGptAssets assets, bool multimodal)
        {
            if (content["parts"] is not JsonArray list)
            {
                consumed.Add("parts");
                return content["parts"] is null;
            }

            consumed.Add("parts");
            foreach (var part in list)
            {
                if (part is JsonValue v && v.TryGetValue(out string? s))
                {
                    if (s.Length > 0)
                    {
                        blocks.Add(new TextBlock(s));
                    }
                }
                else if (multimodal && part is JsonObject o)
                {
                    ObjectPart(o, assets);
                }
                else
                {
                    blocks.Add(new OpaqueBlock(Provider, "part", part?.DeepClone()));
                }
            }

            return true;
        }

        private void ObjectPart(JsonObject part, ChatGptAssets assets)
        {
            var type = part["content_type"] is JsonValue cv && cv.TryGetValue(out string? t) ? t : "part";
            if (type == "audio_transcription" && part["text"] is JsonValue tv && tv.TryGetValue(out string? text))
            {
                if (text.Length > 0)
                {
                    blocks.Add(new TextBlock(text));
                }

                parts.Add(part.DeepClone());
                return;
            }

            var pointers = new List<(string Kind, string Pointer)>();
            CollectPointers(part, type, pointers);
            var found = pointers.Select(p => (p.Kind, Asset: assets.Find(p.Pointer))).ToList();
            if (found.Count == 0 || found.Any(f => f.Asset is null))
            {
                blocks.Add(new OpaqueBlock(Provider, type, part.DeepClone()));
                return;
            }

            foreach (var (kind, asset) in found)
            {
                blocks.Add(new BlobBlock(kind, asset!.Blob, asset.MediaType, asset.Name, asset.Bytes.Length));
                assetList.Add(asset);
            }

            parts.Add(part.DeepClone());
        }

        /// <summary>The file pointers of a part: its own asset_pointer, and those of the audio, video and frames it nests.</summary>
        private static void CollectPointers(JsonObject part, string type, List<(string, string)> pointers)
        {
            if (part["asset_pointer"] is JsonValue p && p.TryGetValue(out string? pointer))
            {
                pointers.Add((type switch
                {
                    "image_asset_pointer" => "image",
                    "audio_asset_pointer" => "audio",
                    "video_container_asset_pointer" => "video",
                    _ => "attachment",
                }, pointer));
            }

            if (part["audio_asset_pointer"] is JsonObject audio)
            {
                CollectPointers(audio, "audio_asset_pointer", pointers);
            }

            if (part["video_container_asset_pointer"] is JsonObject video)
            {
                CollectPointers(video, "video_container_asset_pointer", pointers);
            }

            if (part["frames_asset_pointers"] is JsonArray frames)
            {
                foreach (var f in frames)
                {
                    if (f is JsonObject frame)
                    {
                        CollectPointers(frame, "image_asset_pointer", pointers);
                    }
                    else if (f is JsonValue fv && fv.TryGetValue(out string? s))
                    {
                        pointers.Add(("image", s));
                    }
                }
            }
        }

        private bool Str(string key, Func<string, ContentBlock> block)
        {
            var value = content[key];
            if (value is null)
            {
                consumed.Add(key);
                return true;
            }

            if (!IsString(value))
            {
                return false;
            }

            var s = (string)value!;
            if (s.Length > 0)
            {
                blocks.Add(block(s));
            }

            consumed.Add(key);
            return true;
        }

        private static bool IsString(JsonNode node) => node is JsonValue v && v.TryGetValue(out string? _);
    }
}
