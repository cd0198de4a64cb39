using System.Text.Json.Nodes;
using Amber.Core.Hashing;
using Amber.Core.Model;
using Amber.Core.Time;
using Amber.Import.Formats.ChatApps;
using Amber.Import.Json;

namespace Amber.Import.Formats.GeminiTakeout;

/// <summary>
/// Groups a Gemini Apps activity file into conversations and normalizes them. A "Prompted X" record is a user node
/// (X) followed by one assistant node per safeHtmlItem (text derived from its HTML, the HTML kept in meta); any other
/// record ("Used an Assistant feature", "Created Gemini Canvas titled …", "Selected preferred draft", …) is an
/// <c>activity</c> node with its title and subtitles as text. Each conversation is a single chain in time order.
/// </summary>
internal static class GeminiTakeoutMapper
{
    private const string Prompted = "Prompted";

    private const int TitleLength = 80;

    /// <summary>Record members a node's own fields hold (the rest stays in its meta): a prompt's text is its title less "Prompted ".</summary>
    private static readonly string[] PromptMapped = ["title", "time", "safeHtmlItem"];

    /// <summary>An activity node keeps its title in meta too, since its text joins the title and the subtitles.</summary>
    private static readonly string[] ActivityMapped = ["time", "safeHtmlItem"];

    private sealed record Activity(JsonRecord Record, JsonObject Json, string Time, DateTimeOffset At);

    public static IEnumerable<ImportedConversation> Map(ImportInput input, CancellationToken ct)
    {
        var records = new List<Activity>();
        foreach (var record in JsonRecordReader.ReadJson(input, ct))
        {
            try
            {
                var o = ChatAppJson.ParseObject(record.Bytes.Span) ?? throw ImportException.At(input, record.Where, "not a Gemini Apps activity record: expected a JSON object");
                var time = ChatAppJson.String(o, "time");
                if (!Timestamps.TryParse(time, out var at))
                {
                    throw ImportException.At(input, record.Where, "not a Gemini Apps activity record: missing or unreadable \"time\"");
                }

                if (ChatAppJson.String(o, "title") is null)
                {
                    throw ImportException.At(input, record.Where, "not a Gemini Apps activity record: missing or non-string \"title\"");
                }

                records.Add(new Activity(record, o, time!, at));
            }
            catch (Exception e) when (ChatAppJson.IsRecordError(e))
            {
                throw ImportException.At(input, record.Where, e.Message, e);
            }
        }

        // Takeout lists the newest first: put them in time order (records of the same instant in reverse file order).
        var ordered = records.OrderBy(r => r.At).ThenByDescending(r => r.Record.Index).ToList();
        var start = 0;
        for (var i = 1; i <= ordered.Count; i++)
        {
            if (i == ordered.Count || ordered[i].At - ordered[i - 1].At > GeminiTakeoutFormat.Gap)
            {
                ct.ThrowIfCancellationRequested();
                yield return Conversation(input, ordered.GetRange(start, i - start));
                start = i;
            }
        }
    }

    private static ImportedConversation Conversation(ImportInput input, List<Activity> group)
    {
        var nodes = new List<Node>();
        var blobs = new Dictionary<string, ReadOnlyMemory<byte>>(StringComparer.Ordinal);
        var missing = new List<string>();
        string? parent = null;
        string? title = null;
        foreach (var a in group)
        {
            try
            {
                var created = Timestamps.FormatSourceTime(a.At);
                var recordTitle = ChatAppJson.String(a.Json, "title")!;
                var prompted = recordTitle == Prompted || recordTitle.StartsWith(Prompted + " ", StringComparison.Ordinal);
                var answers = a.Json["safeHtmlItem"] as JsonArray ?? [];
                var htmls = answers.Select(h => h is JsonObject ho ? ChatAppJson.String(ho, "html") ?? "" : "").ToList();

                // Files named in an answer's HTML (generated images) go with that answer; the others with the prompt.
                var files = Files(a.Json);
                var answerFiles = htmls.Select(h => files.Where(f => h.Contains("\"" + f + "\"", StringComparison.Ordinal)).ToList()).ToList();
                var promptFiles = files.Except(answerFiles.SelectMany(f => f)).ToList();

                string text;
                if (prompted)
                {
                    text = recordTitle.Length > Prompted.Length ? recordTitle[(Prompted.Length + 1)..] : "";
                    title ??= Title(text);
                }
                else
                {
                    var subtitles = (a.Json["subtitles"] as JsonArray ?? []).OfType<JsonObject>().Select(s => ChatAppJson.String(s, "name")).OfType<string>();
                    text = string.Join("\n\n", new[] { recordTitle }.Concat(subtitles));
                }

                var content = new List<ContentBlock>();
                if (text.Length > 0)
                {
                    content.Add(new TextBlock(text));
                }

                content.AddRange(Attachments(input, promptFiles, blobs, missing));
                var node = new Node
                {
                    Parent = parent,
                    Role = prompted ? "user" : "activity",
                    Content = content,
                    Created = created,
                    Flags = content.Count == 0 && promptFiles.Count == 0 ? [NodeFlags.Empty] : [],
                    Meta = ChatAppJson.Rest(a.Json, prompted ? PromptMapped : ActivityMapped),
                };
                nodes.Add(node);
                parent = node.ComputeId();

                for (var i = 0; i < answers.Count; i++)
                {
                    var answer = answers[i] as JsonObject ?? throw ImportException.At(input, a.Record.Where, $"safeHtmlItem[{i}] is not an object");
                    var meta = ChatAppJson.Rest(answer, "html") ?? [];
                    meta["html"] = htmls[i];
                    meta["model_unknown"] = true;
                    var answerText = HtmlText.ToText(htmls[i]);
                    var answerContent = new List<ContentBlock>();
                    if (answerText.Length > 0)
                    {
                        answerContent.Add(new TextBlock(answerText));
                    }

                    answerContent.AddRange(Attachments(input, answerFiles[i], blobs, missing));
                    if (answerFiles[i].Count > 0)
                    {
                        meta["files"] = new JsonArray([.. answerFiles[i].Select(n => (JsonNode)n)]);
                    }

                    var reply = new Node
                    {
                        Parent = parent,
                        Role = "assistant",
                        Content = answerContent,
                        Created = created,
                        Flags = answerContent.Count == 0 && answerFiles[i].Count == 0 ? [NodeFlags.Empty] : [],
                        Meta = meta,
                    };
                    nodes.Add(reply);
                    parent = reply.ComputeId();
                }
            }
            catch (Exception e) when (ChatAppJson.IsRecordError(e))
            {
                throw ImportException.At(input, a.Record.Where, e.Message, e);
            }
        }

        // The raw blob is the group's records, byte for byte, as a JSON array in time order.
        var raw = new MemoryStream();
        raw.Write("["u8);
        for (var i = 0; i < group.Count; i++)
        {
            raw.Write(i == 0 ? "\n"u8 : ",\n"u8);
            raw.Write(group[i].Record.Bytes.Span);
        }

        raw.Write("\n]"u8);
        var first = group[0];
        return new ImportedConversation
        {
            Record = new ConversationRecord
            {
                Format = GeminiTakeoutFormat.FormatName,
                Source = GeminiTakeoutFormat.SourceName,

                // Named by its first record's time: a later Takeout whose records continue the conversation joins it.
                SourceId = first.Time,
                Title = title,
                Created = Timestamps.FormatSourceTime(first.At),
                Updated = Timestamps.FormatSourceTime(group[^1].At),
                Meta = new JsonObject
                {
                    ["grouped_by"] = $"time: records less than {GeminiTakeoutFormat.Gap.TotalMinutes:0} minutes apart",
                    ["records"] = group.Count,
                    ["last_record"] = group[^1].Time,
                },
            },
            Nodes = nodes,
            Raw = raw.ToArray(),
            Blobs = [.. blobs.Values],
            Notes = missing.Count == 0 ? [new(ImportNoteKind.Decision, GeminiTakeoutFormat.GroupingNote)] : [new(ImportNoteKind.Decision, GeminiTakeoutFormat.GroupingNote), new(ImportNoteKind.Decision, GeminiTakeoutFormat.FilesNotFoundNote)],
        };
    }

    /// <summary>The file names a record mentions: its attachedFiles and imageFile, once each, in that order.</summary>
    private static List<string> Files(JsonObject o)
    {
        var names = (o["attachedFiles"] as JsonArray ?? []).Select(n => n is JsonValue v && v.TryGetValue(out string? s) ? s : null).OfType<string>().ToList();
        if (ChatAppJson.String(o, "imageFile") is { } image)
        {
            names.Add(image);
        }

        return names.Where(n => n.Length > 0).Distinct(StringComparer.Ordinal).ToList();
    }

    /// <summary>Blob blocks for the named files that Takeout put beside MyActivity.json; a file not there stays a name in the node's meta (and in <paramref name="missing"/>).</summary>
    private static IEnumerable<ContentBlock> Attachments(ImportInput input, List<string> names, Dictionary<string, ReadOnlyMemory<byte>> blobs, List<string> missing)
    {
        foreach (var name in names)
        {
            if (name.Contains('/', StringComparison.Ordinal) || name.Contains('\\', StringComparison.Ordinal) || input.ReadSibling(name) is not { } bytes)
            {
                missing.Add(name);
                continue;
            }

            var id = ContentId.Of(bytes);
            blobs[id] = bytes;
            yield return new BlobBlock(name.EndsWith(".png", StringComparison.OrdinalIgnoreCase) || name.EndsWith(".jpg", StringComparison.OrdinalIgnoreCase) || name.EndsWith(".jpeg", StringComparison.OrdinalIgnoreCase) ? "image" : "attachment", id, null, name, bytes.Length);
        }
    }

    /// <summary>The prompt's first line, at most 80 characters.</summary>
    private static string? Title(string text)
    {
        var line = text.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).FirstOrDefault();
        if (line is null)
        {
            return null;
        }

        var cut = line.Length <= TitleLength ? line.Length : char.IsHighSurrogate(line[TitleLength - 1]) ? TitleLength - 1 : TitleLength;
        return line[..cut];
    }
}
