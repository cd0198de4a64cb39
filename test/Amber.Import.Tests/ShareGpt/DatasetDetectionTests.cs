using Amber.Import.Formats.HhRlhf;
using Amber.Import.Formats.LlmDb;
using Amber.Import.Formats.Oasst;
using Amber.Import.Formats.OpenAiMessages;
using Amber.Import.Formats.ShareGpt;

namespace Amber.Import.Tests.ShareGpt;

/// <summary>Auto-detection routes each dataset file to its format, and the shapes do not take each other's files.</summary>
public sealed class DatasetDetectionTests
{
    private static readonly string[] DatasetFormats = [OasstFormat.FormatName, ShareGptFormat.FormatName, OpenAiMessagesFormat.FormatName, HhRlhfFormat.FormatName, LlmDbFormat.FormatName];

    [Theory]
    [InlineData("oasst2-trees-openpaws/oasst2_filtered.part.jsonl", OasstFormat.FormatName)]
    [InlineData("oasst-en100-trees/en_100_tree.part.jsonl", OasstFormat.FormatName)]
    [InlineData("llamafactory-demo-data/glaive_toolcall_en_demo.part.json", ShareGptFormat.FormatName)]
    [InlineData("llamafactory-demo-data/dpo_en_demo.part.json", ShareGptFormat.FormatName)]
    [InlineData("llamafactory-demo-data/kto_en_demo.part.json", OpenAiMessagesFormat.FormatName)]
    [InlineData("llamafactory-demo-data/reason_tool_use_demo_50.part.jsonl", OpenAiMessagesFormat.FormatName)]
    [InlineData("hh-rlhf-harmless-base/test.part.jsonl", HhRlhfFormat.FormatName)]
    public void Detect_CorpusDatasetFile_PicksItsFormat(string file, string format)
        => Assert.Equal(format, DatasetTestData.Detected(ImportFixture.Corpus(file)));

    [Theory]
    [InlineData("chatgpt-export-chatgpt2graph/conversations.json")]
    [InlineData("chatgpt-export-yoonchoonkoon-archive/conversations.json")]
    [InlineData("claude-export-simonw/artifacts.json")]
    [InlineData("claude-export-simonw/example.json")]
    [InlineData("claude-export-racmac57/sample_5_conversations.json")]
    public void Detect_ChatExport_IsNotTakenByADatasetFormat(string file)
        => Assert.DoesNotContain(DatasetTestData.Detected(ImportFixture.Corpus(file)), DatasetFormats);

    [Theory]
    [InlineData("""{"conversations": [{"from": "human", "value": "a"}], "chosen": {"from": "gpt", "value": "b"}, "rejected": {"from": "gpt", "value": "c"}}""", ShareGptFormat.FormatName)]
    [InlineData("""{"messages": [{"from": "human", "value": "a"}]}""", ShareGptFormat.FormatName)]
    [InlineData("""{"messages": [{"role": "user", "content": "a"}], "chosen": "x", "rejected": "y"}""", OpenAiMessagesFormat.FormatName)]
    [InlineData("""{"chosen": "\n\nHuman: a\n\nAssistant: b", "rejected": "\n\nHuman: a\n\nAssistant: c"}""", HhRlhfFormat.FormatName)]
    [InlineData("""{"prompt": "a", "chosen": "b", "rejected": "c"}""", null)]
    [InlineData("""{"message_id": "m1", "parent_id": null, "message_tree_id": "m1", "role": "prompter", "text": "a"}""", OasstFormat.FormatName)]
    [InlineData("""{"message_tree_id": "t", "prompt": {"message_id": "t", "role": "prompter", "text": "a", "replies": []}}""", OasstFormat.FormatName)]
    public void Detect_FirstRecordShape_PicksTheFormat(string record, string? format)
    {
        var dir = Path.Combine(Path.GetTempPath(), "amber-detect-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            var jsonl = Path.Combine(dir, "data.jsonl");
            File.WriteAllText(jsonl, record + "\n" + record + "\n");
            var array = Path.Combine(dir, "data.json");
            File.WriteAllText(array, "[\n  " + record + ",\n  " + record + "\n]\n");
            Assert.Equal(format, DatasetTestData.Detected(jsonl));
            Assert.Equal(format, DatasetTestData.Detected(array));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
