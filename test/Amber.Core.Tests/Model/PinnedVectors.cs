using System.Text.Json.Nodes;
using Amber.Core.Model;

namespace Amber.Core.Tests.Model;

/// <summary>
/// Fixed records with their canonical JSON and ids, computed once and written down here and in
/// docs/format/hash-contract.md. If code changes make any of these differ, stored ids no longer verify:
/// that is a format change, not a test to update.
/// </summary>
internal static class PinnedVectors
{
    public const string RootJson = """{"content":[{"text":"You are a helpful assistant.","type":"text"}],"created":"2024-05-01T12:00:00Z","parent":null,"role":"system","type":"amber.node/v1"}""";
    public const string RootId = "sha256:c5646a1121dffb9404aeec3247051c6aac876f7da889186eecbfc7fa2403f994";

    public const string UserJson = """{"content":[{"text":"What is the capital of France?\nAnswer with one word, \"quoted\".","type":"text"}],"created":"2024-05-01T12:00:05Z","meta":{"source_id":"msg-0002"},"parent":"sha256:c5646a1121dffb9404aeec3247051c6aac876f7da889186eecbfc7fa2403f994","role":"user","type":"amber.node/v1"}""";
    public const string UserId = "sha256:2fc636c01f059870c63f0932e4702199fe1e2e88ab765a93041e5ee6501e7adc";

    public const string ModelJson = """{"api_version":"v1","fingerprint":"fp_3aa7262c27","provider":"openai","requested":"gpt-4o","resolved":"gpt-4o-2024-05-13","type":"amber.model/v1"}""";
    public const string ModelId = "sha256:5269cd1ec3a1952ce8b286fee3423cea8908f28af23baba2c3e1675284c370c2";

    public const string AssistantJson = """{"content":[{"text":"“Paris” — the capital of France.","type":"text"}],"created":"2024-05-01T12:00:06Z","flags":["hidden","substitute"],"generation":{"finish_reason":"stop","model":"sha256:5269cd1ec3a1952ce8b286fee3423cea8908f28af23baba2c3e1675284c370c2","parameters":{"max_tokens":256,"model":"gpt-4o","seed":42,"temperature":0.7},"seed":42,"timings":{"first_token_ms":182,"total_ms":415},"usage":{"completion_tokens":9,"prompt_tokens":31,"total_tokens":40}},"parent":"sha256:2fc636c01f059870c63f0932e4702199fe1e2e88ab765a93041e5ee6501e7adc","role":"assistant","type":"amber.node/v1"}""";
    public const string AssistantId = "sha256:5330f879a127ebb6c97360848067c3fafd8dd1549303933235e25b8cbffc0dbd";

    public const string ConversationIdentityJson = """{"format":"chatgpt","source":"conversations.json","source_id":"6650a7b2-1c2d-4e5f-8a9b-0c1d2e3f4a5b","type":"amber.conversation/v1"}""";
    public const string ConversationId = "sha256:5d7c2c19cc1fcb3d9a45829424c81e3a50cf16681a8def7631db5d5883aa1bc5";

    public const string ConversationRecordJson = """{"created":"2024-05-01T12:00:00Z","format":"chatgpt","source":"conversations.json","source_id":"6650a7b2-1c2d-4e5f-8a9b-0c1d2e3f4a5b","title":"Capital of France","type":"amber.conversation/v1"}""";

    /// <summary>Every pinned (canonical JSON, SHA-256 of it) pair.</summary>
    public static IReadOnlyList<(string Name, string Json, string Id)> Hashed { get; } =
    [
        ("root", RootJson, RootId),
        ("user", UserJson, UserId),
        ("model", ModelJson, ModelId),
        ("assistant", AssistantJson, AssistantId),
        ("conversation identity", ConversationIdentityJson, ConversationId),
    ];

    public static Node Root() => new()
    {
        Role = "system",
        Content = [new TextBlock("You are a helpful assistant.")],
        Created = "2024-05-01T12:00:00Z",
    };

    public static Node User() => new()
    {
        Parent = RootId,
        Role = "user",
        Content = [new TextBlock("What is the capital of France?\nAnswer with one word, \"quoted\".")],
        Created = "2024-05-01T12:00:05Z",
        Meta = new JsonObject { ["source_id"] = "msg-0002" },
    };

    public static ModelReference Model() => new()
    {
        Provider = "openai",
        Requested = "gpt-4o",
        Resolved = "gpt-4o-2024-05-13",
        Fingerprint = "fp_3aa7262c27",
        ApiVersion = "v1",
    };

    public static Node Assistant() => new()
    {
        Parent = UserId,
        Role = "assistant",
        Content = [new TextBlock("\u201cParis\u201d \u2014 the capital of France.")],
        Created = "2024-05-01T12:00:06Z",
        Generation = new GenerationRecord
        {
            Model = ModelId,
            Parameters = new JsonObject { ["model"] = "gpt-4o", ["temperature"] = 0.7, ["max_tokens"] = 256, ["seed"] = 42 },
            Seed = 42,
            Usage = new JsonObject { ["prompt_tokens"] = 31, ["completion_tokens"] = 9, ["total_tokens"] = 40 },
            FinishReason = "stop",
            TimeToFirstTokenMs = 182,
            TotalMs = 415,
        },

        // Unsorted and repeated on purpose: the record keeps a sorted set.
        Flags = [NodeFlags.Substitute, NodeFlags.Hidden, NodeFlags.Hidden],
    };

    public static ConversationRecord Conversation() => new()
    {
        Format = "chatgpt",
        Source = "conversations.json",
        SourceId = "6650a7b2-1c2d-4e5f-8a9b-0c1d2e3f4a5b",
        Title = "Capital of France",
        Created = "2024-05-01T12:00:00Z",
    };
}
