using System.Text.Json;
using System.Text.Json.Nodes;
using Amber.Core.Json;
using Amber.Core.Model;
using Amber.Import.Formats.ShareGpt;

namespace Amber.Import.Formats.HhRlhf;

/// <summary>
/// Anthropic HH-RLHF: one record per line, {"chosen": transcript, "rejected": transcript}, each a whole
/// dialogue in the "\n\nHuman: …\n\nAssistant: …" form. One conversation per record: the two transcripts
/// share their common prefix of turns and fork at the first turn that differs (two leaves, or one when they
/// are identical or one is a prefix of the other). Source id: the hash of the record's canonical JSON.
/// </summary>
public sealed class HhRlhfFormat : IConversationFormat
{
    public const string FormatName = "hh-rlhf";

    public const string SourceName = "anthropic/hh-rlhf";

    private const string HumanMarker = "\n\nHuman:";
    private const string AssistantMarker = "\n\nAssistant:";

    public string Name => FormatName;

    public FormatShape Shape { get; } = new(
        "Anthropic HH-RLHF records (JSON Lines or an array), each with \"chosen\" and \"rejected\" transcripts (\"\\n\\nHuman: … \\n\\nAssistant: …\")",
        null,
        ["chosen", "rejected"]);

    public int DetectionOrder => 40;

    public bool Detect(ImportInput input, ReadOnlySpan<byte> head)
        => RecordShape.Read(head) is { } shape
            && shape.Has("chosen", JsonTokenType.String) && shape.Has("rejected", JsonTokenType.String)
            && !shape.Has("conversations") && !shape.Has("messages")
            && IsTranscript(shape.StringPrefix("chosen")!);

    public IEnumerable<ImportedConversation> Read(ImportInput input, CancellationToken cancellationToken)
    {
        var ids = new DatasetRecordIds();
        foreach (var record in DatasetRecords.Read(input, cancellationToken))
        {
            var o = DatasetRecords.ParseObject(input, record);
            var sourceId = ids.Next(input, record);
            yield return Convert(input, $"conversation {sourceId} ({record.Where})", sourceId, o, record.Bytes);
        }
    }

    /// <summary>Splits a transcript into turns; text before the first marker (normally none) becomes a "preamble" turn.</summary>
    public static List<(string Role, string Text)> Turns(string transcript)
    {
        var turns = new List<(string Role, string Text)>();
        var (at, role, length) = Next(transcript, 0, atStart: true);
        if (at > 0 || role is null)
        {
            turns.Add(("preamble", transcript[..(at < 0 ? transcript.Length : at)]));
        }

        while (role is not null)
        {
            var start = at + length;
            if (start < transcript.Length && transcript[start] == ' ')
            {
                start++;
            }

            var (nextAt, nextRole, nextLength) = Next(transcript, start, atStart: false);
            turns.Add((role, transcript[start..(nextAt < 0 ? transcript.Length : nextAt)]));
            (at, role, length) = (nextAt, nextRole, nextLength);
        }

        return turns;
    }

    private static bool IsTranscript(string start)
        => start.StartsWith(HumanMarker, StringComparison.Ordinal) || start.StartsWith(AssistantMarker, StringComparison.Ordinal)
            || start.StartsWith(HumanMarker[2..], StringComparison.Ordinal) || start.StartsWith(AssistantMarker[2..], StringComparison.Ordinal);

    private static (int At, string? Role, int Length) Next(string s, int from, bool atStart)
    {
        if (atStart)
        {
            if (s.StartsWith(HumanMarker[2..], StringComparison.Ordinal))
            {
                return (0, "user", HumanMarker.Length - 2);
            }

            if (s.StartsWith(AssistantMarker[2..], StringComparison.Ordinal))
            {
                return (0, "assistant", AssistantMarker.Length - 2);
            }
        }

        var h = s.IndexOf(HumanMarker, from, StringComparison.Ordinal);
        var a = s.IndexOf(AssistantMarker, from, StringComparison.Ordinal);
        if (h < 0 && a < 0)
        {
            return (-1, null, 0);
        }

        return h >= 0 && (a < 0 || h < a) ? (h, "user", HumanMarker.Length) : (a, "assistant", AssistantMarker.Length);
    }

    private static ImportedConversation Convert(ImportInput input, string where, string sourceId, JsonObject o, ReadOnlyMemory<byte> raw)
    {
        var chosenText = DatasetRecords.String(o, "chosen");
        var rejectedText = DatasetRecords.String(o, "rejected");
        if (chosenText is null || rejectedText is null)
        {
            throw ImportException.At(input, where, "not an HH-RLHF record: \"chosen\" and \"rejected\" must both be transcript strings");
        }

        var chosen = Turns(chosenText);
        var rejected = Turns(rejectedText);
        if (!chosen.Any(t => t.Role != "preamble") || !rejected.Any(t => t.Role != "preamble"))
        {
            throw ImportException.At(input, where, "not an HH-RLHF transcript: no \"\\n\\nHuman:\" or \"\\n\\nAssistant:\" turn in \"chosen\" or \"rejected\"");
        }

        try
        {
            var common = 0;
            while (common < chosen.Count && common < rejected.Count && chosen[common] == rejected[common])
            {
                common++;
            }

            var nodes = new List<Node>();
            string? parent = null;
            for (var i = 0; i < common; i++)
            {
                parent = Add(nodes, parent, chosen[i], $"{sourceId}#{i}", null);
            }

            foreach (var (side, turns) in new[] { ("chosen", chosen), ("rejected", rejected) })
            {
                var at = parent;
                for (var i = common; i < turns.Count; i++)
                {
                    at = Add(nodes, at, turns[i], $"{sourceId}#{side}.{i}", i == common ? side : null);
                }
            }

            return new ImportedConversation
            {
                Record = new ConversationRecord
                {
                    Format = FormatName,
                    Source = SourceName,
                    SourceId = sourceId,
                    Title = DatasetRecords.Title(chosen.FirstOrDefault(t => t.Role == "user").Text),
                    Meta = DatasetRecords.Rest(o, "chosen", "rejected"),
                },
                Nodes = nodes,
                Raw = raw,
            };
        }
        catch (Exception e) when (e is FormatException or CanonicalJsonException or InvalidOperationException)
        {
            throw ImportException.At(input, where, e.Message, e);
        }
    }

    private static string Add(List<Node> nodes, string? parent, (string Role, string Text) turn, string sourceId, string? preference)
    {
        var meta = new JsonObject { ["source_id"] = sourceId };
        if (preference is not null)
        {
            meta["preference"] = preference;
        }

        var node = new Node
        {
            Parent = parent,
            Role = turn.Role,
            Content = turn.Text.Length > 0 ? [new TextBlock(turn.Text)] : [],
            Flags = turn.Text.Length > 0 ? [] : [NodeFlags.Empty],
            Meta = meta,
        };
        nodes.Add(node);
        return node.ComputeId();
    }
}
