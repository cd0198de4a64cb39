using System.Text;
using System.Text.Json.Nodes;
using Amber.Testing;

namespace Amber.Import.Tests.Samples;

/// <summary>
/// The sample folders of ../shared/samples that no format's own tests read (ChatGPT and Claude exports, ShareGPT and
/// OpenAI-messages datasets): each imports with the conversation, node and instance counts taken here from its raw
/// files, a re-import adds nothing, every stored raw source is one of the file's records, a truncated copy is refused
/// naming where it stops, and a shuffled copy adds nothing: records in reverse order, and their messages too where the
/// format links them by id or by distinct times (docs/ARCHITECTURE.md §11: unlinked Claude messages with equal times
/// keep their array order, so reordering those is a different conversation by design). The dataset folders get the
/// same checks file by file, each in the format it is detected as (their node counts are the format tests', which read
/// the samples slice beside the corpus one).
/// </summary>
public sealed class SampleFolderTests
{
    public static TheoryData<string, string> Folders => new()
    {
        { "chatgpt-export-elinvoss", "chatgpt" },
        { "chatgpt-export-kongmono", "chatgpt" },
        { "chatgpt-export-librechat-fixtures", "chatgpt" },
        { "chatgpt-export-openwebui-importer", "chatgpt" },
        { "chatgpt-export-yoonchoonkoon-archive", "chatgpt" }, // the ChatGPT corpus tests read the other slice, in shared/corpus
        { "claude-conversation-osteele", "claude" },
        { "claude-export-nexus", "claude" },
        { "claude-export-openwebui-importer", "claude" },
        { "claude-export-yaleman", "claude" },
        { "sharegpt-fastchat", "sharegpt" },
        { "sharegpt-multimodal-llamafactory", "openai-jsonl" },
        { "openai-messages-multimodal-llamafactory", "openai-jsonl" },
    };

    [Theory]
    [MemberData(nameof(Folders))]
    public void Import_SampleFolder_CountsMatchItsRawFilesAndAReimportAddsNothing(string folder, string format)
    {
        var path = FolderPath(folder);
        using var fx = new ImportFixture();

        var summary = fx.Import(path);

        Assert.Empty(summary.Errors);
        Assert.NotEmpty(summary.Files);
        Assert.All(summary.Files, f => Assert.Equal(format, f.Format));
        var records = summary.Files.SelectMany(f => Records(f.File)).ToList();
        Assert.Equal(records.Count, summary.Conversations);
        Assert.Equal(records.Sum(r => Count(format, r).Nodes), summary.Nodes);
        Assert.Equal(records.Sum(r => Count(format, r).Leaves), summary.Instances);

        var again = fx.Import(path);

        Assert.Empty(again.Errors);
        Assert.Equal((records.Count, 0, 0), (again.Conversations, again.NewConversations, again.NewNodes));
    }

    [Theory]
    [MemberData(nameof(Folders))]
    public void Import_SampleFolder_RawOfEveryConversationIsOneOfItsRecords(string folder, string format)
    {
        var path = FolderPath(folder);
        using var fx = new ImportFixture();
        var summary = fx.Import(path);
        Assert.Empty(summary.Errors);
        var sources = summary.Files.SelectMany(f => Records(f.File)).Select(r => r.ToJsonString()).ToHashSet(StringComparer.Ordinal);

        var stored = fx.Archive.ListConversations(100_000).Select(c => fx.Archive.GetConversation(c.Id)!).ToList();

        Assert.NotEmpty(stored);
        Assert.All(stored, v => Assert.Equal(format, v.Record.Format));
        // Two files may hold one conversation (same id): it keeps both raw sources.
        var raws = stored.SelectMany(v => v.Raw).Select(r => JsonNode.Parse(fx.Archive.GetBlob(r))!.ToJsonString()).ToHashSet(StringComparer.Ordinal);
        Assert.Equal(sources, raws);
    }

    [Theory]
    [MemberData(nameof(Folders))]
    public void Import_SampleFolder_TruncatedCopyIsRefusedNamingWhereItStops(string folder, string format)
    {
        var largest = Directory.EnumerateFiles(FolderPath(folder)).Where(IsData).OrderByDescending(f => new FileInfo(f).Length).First();

        AssertTruncatedCopyRefused(largest, format);
    }

    [Theory]
    [MemberData(nameof(Folders))]
    public void Import_SampleFolder_ShuffledCopyAddsNothing(string folder, string format)
    {
        var path = FolderPath(folder);
        using var fx = new ImportFixture();
        var summary = fx.Import(path);
        Assert.Empty(summary.Errors);
        var shuffled = summary.Files.Select(f => ShuffledCopy(fx, f.File, format)).ToArray();

        var again = fx.ImportAs(format, shuffled);

        Assert.Empty(again.Errors);
        Assert.Equal((summary.Conversations, summary.Nodes, summary.Instances), (again.Conversations, again.Nodes, again.Instances));
        Assert.Equal((0, 0), (again.NewConversations, again.NewNodes));
    }

    /// <summary>The dataset folders and the format of each data file in them (LLaMA-Factory's demo data mixes two).</summary>
    public static TheoryData<string, string> DatasetFolders => new()
    {
        { "hh-rlhf-harmless-base", "test.part.jsonl=hh-rlhf" },
        { "oasst-en100-trees", "en_100_tree.part.jsonl=oasst" },
        { "oasst2-trees-openpaws", "oasst2_filtered.part.jsonl=oasst" },
        { "llamafactory-demo-data", "dpo_en_demo.part.json=sharegpt glaive_toolcall_en_demo.part.json=sharegpt kto_en_demo.part.json=openai-jsonl reason_tool_use_demo_50.part.jsonl=openai-jsonl" },
    };

    [Theory]
    [MemberData(nameof(DatasetFolders))]
    public void Import_DatasetFolder_EveryRecordIsAConversationAndAReimportAddsNothing(string folder, string formats)
    {
        var path = FolderPath(folder);
        using var fx = new ImportFixture();

        var summary = fx.Import(path);

        Assert.Empty(summary.Errors);
        Assert.Equal(FileFormats(formats), summary.Files.Select(f => (Path.GetFileName(f.File), f.Format)).Order());
        var records = summary.Files.Sum(f => Records(f.File).Count);
        Assert.Equal(records, summary.Conversations);
        var before = fx.Archive.GetStats();

        var again = fx.Import(path);

        Assert.Empty(again.Errors);
        Assert.Equal((records, summary.Nodes, 0, 0), (again.Conversations, again.Nodes, again.NewConversations, again.NewNodes));
        var after = fx.Archive.GetStats();
        Assert.Equal((before.Conversations, before.Nodes, before.Blobs, before.Instances), (after.Conversations, after.Nodes, after.Blobs, after.Instances));
    }

    [Theory]
    [MemberData(nameof(DatasetFolders))]
    public void Import_DatasetFolder_RawOfEveryConversationIsOneOfItsRecords(string folder, string formats)
    {
        var path = FolderPath(folder);
        using var fx = new ImportFixture();
        var summary = fx.Import(path);
        Assert.Empty(summary.Errors);
        var sources = summary.Files.SelectMany(f => Records(f.File)).Select(r => r.ToJsonString()).ToHashSet(StringComparer.Ordinal);

        var stored = fx.Archive.ListConversations(100_000).Select(c => fx.Archive.GetConversation(c.Id)!).ToList();

        Assert.NotEmpty(stored);
        Assert.All(stored, v => Assert.Contains(v.Record.Format, FileFormats(formats).Select(p => p.Format)));
        // An oasst tree listed twice (oasst2-trees-openpaws) is one conversation that keeps both lines as raw sources.
        var raws = stored.SelectMany(v => v.Raw).Select(r => JsonNode.Parse(fx.Archive.GetBlob(r))!.ToJsonString()).ToHashSet(StringComparer.Ordinal);
        Assert.Equal(sources, raws);
    }

    [Theory]
    [MemberData(nameof(DatasetFolders))]
    public void Import_DatasetFolder_TruncatedCopyOfEachFileIsRefusedNamingWhereItStops(string folder, string formats)
    {
        var path = FolderPath(folder);

        foreach (var (file, format) in FileFormats(formats))
        {
            AssertTruncatedCopyRefused(Path.Combine(path, file), format);
        }
    }

    /// <summary>
    /// Records in reverse order add nothing: oasst trees are named by their message_tree_id, other dataset records by
    /// their own "id" or the digest of their canonical JSON, never by their line (docs/ARCHITECTURE.md §11, datasets).
    /// </summary>
    [Theory]
    [MemberData(nameof(DatasetFolders))]
    public void Import_DatasetFolder_ShuffledCopyAddsNothing(string folder, string formats)
    {
        var path = FolderPath(folder);
        using var fx = new ImportFixture();
        var summary = fx.Import(path);
        Assert.Empty(summary.Errors);
        var before = fx.Archive.GetStats();

        var again = FileFormats(formats).Select(p => fx.ImportAs(p.Format, ShuffledCopy(fx, Path.Combine(path, p.File), p.Format))).ToList();

        Assert.All(again, s => Assert.Empty(s.Errors));
        Assert.Equal((summary.Conversations, summary.Nodes, summary.Instances), (again.Sum(s => s.Conversations), again.Sum(s => s.Nodes), again.Sum(s => s.Instances)));
        Assert.Equal((0, 0), (again.Sum(s => s.NewConversations), again.Sum(s => s.NewNodes)));
        var after = fx.Archive.GetStats();
        Assert.Equal((before.Conversations, before.Nodes, before.Instances), (after.Conversations, after.Nodes, after.Instances));
    }

    /// <summary>A copy of <paramref name="file"/> cut halfway, inside a line, is refused naming the byte or line where it stops.</summary>
    private static void AssertTruncatedCopyRefused(string file, string format)
    {
        var bytes = File.ReadAllBytes(file);
        var cut = bytes.Length / 2;
        while (bytes[cut] == (byte)'\n' || bytes[cut - 1] == (byte)'\n')
        {
            cut -= 7; // inside a line: a JSON Lines file cut at a line's end is a shorter valid file, not a truncated one
        }

        using var fx = new ImportFixture();
        var copy = fx.Temp("cut" + Path.GetExtension(file));
        File.WriteAllBytes(copy, bytes[..cut]);

        var summary = fx.ImportAs(format, copy);

        var error = Assert.Single(summary.Errors);
        Assert.StartsWith(copy + ": ", error, StringComparison.Ordinal);
        Assert.Matches("(byte|line) [0-9]+", error); // where it stops: the byte of a JSON document, the line of JSON Lines
        Assert.Empty(fx.Archive.ListConversations(10));
    }

    /// <summary>A copy of <paramref name="file"/> with its records (and, where free, their messages) in reverse order.</summary>
    private static string ShuffledCopy(ImportFixture fx, string file, string format)
    {
        var reversed = Records(file).Select(r => Reverse(format, r)).Reverse().ToList();
        // The same file name: a dataset's conversations are named by it (source "sharegpt:<file name>").
        Directory.CreateDirectory(fx.Temp("shuffled"));
        var copy = Path.Combine(fx.Temp("shuffled"), Path.GetFileName(file));
        File.WriteAllText(copy, copy.EndsWith(".jsonl", StringComparison.Ordinal)
            ? string.Join('\n', reversed.Select(r => r.ToJsonString())) + "\n"
            : new JsonArray([.. reversed]).ToJsonString(), Encoding.UTF8);
        return copy;
    }

    private static IEnumerable<(string File, string Format)> FileFormats(string formats)
        => formats.Split(' ').Select(p => p.Split('=')).Select(p => (p[0], p[1])).Order();

    private static string FolderPath(string folder) => SharedData.RequireSample(folder);

    private static bool IsData(string path) => path.EndsWith(".json", StringComparison.Ordinal) || path.EndsWith(".jsonl", StringComparison.Ordinal);

    /// <summary>A file's records: the elements of its top-level array, its one object, or its lines.</summary>
    private static List<JsonObject> Records(string file)
    {
        if (file.EndsWith(".jsonl", StringComparison.Ordinal))
        {
            return [.. File.ReadLines(file).Where(l => l.Trim().Length > 0).Select(l => JsonNode.Parse(l)!.AsObject())];
        }

        return JsonNode.Parse(File.ReadAllBytes(file)) switch
        {
            JsonArray a => [.. a.Select(e => e!.AsObject())],
            JsonObject o => [o],
            _ => [],
        };
    }

    /// <summary>A record's nodes and the leaves of its tree, read from the source's own links.</summary>
    private static (int Nodes, int Leaves) Count(string format, JsonObject record)
    {
        switch (format)
        {
            case "chatgpt":
                {
                    // Entries without a message are not nodes: a node's parent is its nearest ancestor with one.
                    var mapping = record["mapping"]!.AsObject();
                    var withMessage = mapping.Where(p => p.Value!["message"] is JsonObject).Select(p => p.Key).ToHashSet(StringComparer.Ordinal);
                    var parents = new HashSet<string>(StringComparer.Ordinal);
                    foreach (var key in withMessage)
                    {
                        var up = (string?)mapping[key]!["parent"];
                        while (up is not null && mapping[up] is JsonObject entry && !withMessage.Contains(up))
                        {
                            up = (string?)entry["parent"];
                        }

                        if (up is not null && withMessage.Contains(up))
                        {
                            parents.Add(up);
                        }
                    }

                    return (withMessage.Count, withMessage.Count - parents.Count);
                }

            case "claude":
                {
                    var messages = record["chat_messages"]!.AsArray().Select(m => m!.AsObject()).ToList();
                    if (!messages.Any(m => m["parent_message_uuid"] is not null))
                    {
                        return (messages.Count, messages.Count == 0 ? 0 : 1); // no links: one chain
                    }

                    var uuids = messages.Select(m => (string?)m["uuid"]).ToHashSet(StringComparer.Ordinal);
                    var parents = messages.Select(m => (string?)m["parent_message_uuid"]).Where(p => p is not null && uuids.Contains(p)).ToHashSet(StringComparer.Ordinal);
                    return (messages.Count, messages.Count(m => !parents.Contains((string?)m["uuid"])));
                }

            default:
                {
                    var messages = (record["conversations"] ?? record["messages"])!.AsArray().Count;
                    return (messages, messages == 0 ? 0 : 1);
                }
        }
    }

    /// <summary>The record with its messages in reverse order where the format links them by id or time, not by position.</summary>
    private static JsonObject Reverse(string format, JsonObject record)
    {
        var copy = record.DeepClone().AsObject();
        switch (format)
        {
            case "chatgpt":
                copy["mapping"] = new JsonObject(copy["mapping"]!.AsObject().Reverse().Select(p => KeyValuePair.Create(p.Key, p.Value?.DeepClone())));
                break;
            // Without links Claude's messages are chained by created_at, stable on ties: only distinct times make the order free.
            case "claude" when copy["chat_messages"] is JsonArray messages
                && (messages.Any(m => m!["parent_message_uuid"] is not null) || messages.Select(m => (string?)m!["created_at"]).Distinct().Count() == messages.Count && messages.All(m => m!["created_at"] is not null)):
                copy["chat_messages"] = new JsonArray([.. messages.Reverse().Select(m => m!.DeepClone())]);
                break;
        }

        return copy;
    }
}
