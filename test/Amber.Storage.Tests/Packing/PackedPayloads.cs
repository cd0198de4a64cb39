using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Amber.Core.Hashing;
using Amber.Core.Json;
using Amber.Core.Model;
using Amber.Storage.Format;

namespace Amber.Storage.Tests.Packing;

/// <summary>
/// Seeded random commit payloads (record-frame.md §6) of the kind the packer meets: raw JSON blobs written with every
/// escaping style (<c>\u00e9</c> or UTF-8, <c>\/</c>, surrogate pairs, control characters, a JSON body inside a string),
/// and nodes whose text is a whole literal, a part of one, or text found nowhere.
/// </summary>
internal static class PackedPayloads
{
    private static readonly string[] Pieces = ["a", "Z", " ", "é", "ß", "😀", "中文", "\"", "\\", "/", "\n", "\t", "\u0001", "\u001f", "\u007f", "<", "&", "'", "+", "word ", "text "];

    public static string RandomText(Random r, int min, int max)
    {
        var n = r.Next(min, max + 1);
        var sb = new StringBuilder();
        while (sb.Length < n)
        {
            sb.Append(Pieces[r.Next(Pieces.Length)]);
        }

        return sb.ToString();
    }

    /// <summary>A JSON string literal for <paramref name="s"/>, each character escaped or not at random, as many writers do.</summary>
    public static string LooseLiteral(Random r, string s)
    {
        var sb = new StringBuilder("\"");
        for (var i = 0; i < s.Length; i++)
        {
            var c = s[i];
            var style = r.Next(3);
            if (char.IsHighSurrogate(c))
            {
                sb.Append(style == 0 ? $"\\u{(int)c:X4}\\u{(int)s[i + 1]:x4}" : s.Substring(i, 2));
                i++;
                continue;
            }

            var mustEscape = c is '"' or '\\' || c < 0x20;
            if (!mustEscape && style != 0)
            {
                sb.Append(c);
            }
            else if (style == 1 && c is '"' or '\\' or '/' or '\n' or '\t')
            {
                sb.Append(c switch { '"' => "\\\"", '\\' => "\\\\", '/' => "\\/", '\n' => "\\n", _ => "\\t" });
            }
            else
            {
                sb.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}");
            }
        }

        return sb.Append('"').ToString();
    }

    /// <summary>Builds one payload; returns it with the node texts that should have been found in the blobs.</summary>
    public static byte[] Build(Random r, out int findable)
    {
        var texts = Enumerable.Range(0, r.Next(1, 8)).Select(_ => RandomText(r, 0, 80)).ToList();
        texts.Add("");
        var inner = "{\"inner\":" + LooseLiteral(r, texts[0]) + "}";
        var blob = Encoding.UTF8.GetBytes("{\"messages\":[" + string.Join(",", texts.Select(t => LooseLiteral(r, t))) + "],\"body\":{\"text\":" + LooseLiteral(r, inner) + "}}");
        var blobId = ContentId.Of(blob);

        var conversation = new ConversationRecord { Format = "test", Source = "packing", SourceId = "c" + r.Next(), Title = RandomText(r, 0, 30) };
        var nodes = new List<(string Id, byte[] Bytes)>();
        string? parent = null;
        findable = 0;
        for (var i = 0; i < r.Next(1, 12); i++)
        {
            string text;
            switch (r.Next(4))
            {
                case 0:
                    text = texts[r.Next(texts.Count)];
                    break;
                case 1:
                    var whole = texts[r.Next(texts.Count)];
                    var start = whole.Length == 0 ? 0 : r.Next(whole.Length);
                    text = whole[start..];
                    break;
                case 2:
                    text = RandomText(r, 0, 60);
                    break;
                default:
                    text = "";
                    break;
            }

            if (text.Length > 0 && char.IsLowSurrogate(text[0]))
            {
                text = text[1..];
            }

            findable += Encoding.UTF8.GetByteCount(text) >= 24 && texts.Any(t => t.Contains(text, StringComparison.Ordinal)) ? 1 : 0;
            var meta = new JsonObject { ["raw"] = r.Next(2) == 0 ? blobId : blobId + "#" + i };
            if (nodes.Count > 1 && r.Next(3) == 0)
            {
                meta["sibling"] = nodes[r.Next(nodes.Count)].Id; // an earlier node named outside parent
            }

            var node = new JsonObject
            {
                ["type"] = "amber.node/v1",
                ["parent"] = parent,
                ["role"] = i % 2 == 0 ? "user" : "assistant",
                ["content"] = new JsonArray(new JsonObject { ["type"] = "text", ["text"] = text }),
                ["meta"] = meta,
            };
            var bytes = CanonicalJson.Canonicalize(node);
            var id = ContentId.Of(bytes);
            nodes.Add((id, bytes));
            parent = id;
        }

        var nodeIds = nodes.Select(n => n.Id).ToList();
        var info = new JsonObject
        {
            ["type"] = "amber.commit/v1",
            ["blob_count"] = 1,
            ["blobs_sha256"] = CommitInfo.NodesDigest([blobId]),
            ["conversations"] = new JsonArray(new JsonObject
            {
                ["id"] = conversation.Id,
                ["leaves"] = new JsonArray(nodeIds[^1]),
                ["nodes_sha256"] = CommitInfo.NodesDigest(nodeIds),
                ["raw"] = new JsonArray(blobId),
            }),
            ["elsewhere"] = "sha256:" + Convert.ToHexStringLower(ContentId.ToDigest(blobId).Reverse().ToArray()),
        };
        var payload = new ArrayBufferWriter<byte>();
        CommitPayload.WriteEntry(payload, EntryType.Info, CanonicalJson.Canonicalize(info));
        CommitPayload.WriteEntry(payload, EntryType.Blob, ContentId.ToDigest(blobId), blob);
        CommitPayload.WriteEntry(payload, EntryType.Conversation, CanonicalJson.Canonicalize(conversation.ToJson()));
        CommitPayload.WriteEntry(payload, EntryType.Membership, CanonicalJson.Canonicalize(CommitInfo.Membership(conversation.Id, nodeIds)));
        foreach (var (_, bytes) in nodes)
        {
            CommitPayload.WriteEntry(payload, EntryType.Node, bytes);
        }

        // A node naming a later node (not allowed as an id token: it must stay a plain digest).
        var later = new JsonObject { ["type"] = "amber.node/v1", ["parent"] = null, ["role"] = "user", ["content"] = new JsonArray(), ["meta"] = new JsonObject { ["next"] = ContentId.Of(CanonicalJson.Canonicalize(new JsonObject { ["x"] = 1 })) } };
        CommitPayload.WriteEntry(payload, EntryType.Node, CanonicalJson.Canonicalize(later));
        CommitPayload.WriteEntry(payload, EntryType.Model, CanonicalJson.Canonicalize(new JsonObject { ["x"] = 1 }));
        return payload.WrittenSpan.ToArray();
    }
}
