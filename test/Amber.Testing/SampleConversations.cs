using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Amber.Core.Model;
using Amber.Storage;

namespace Amber.Testing;

/// <summary>Deterministic synthetic conversations (seeded), with branches, a hosted model, tool calls and an attachment.</summary>
public static class SampleConversations
{
    private static readonly string[] Words =
    [
        "amber", "preserve", "model", "instance", "conversation", "weights", "kettle", "river", "lantern", "orchid",
        "archive", "revive", "seed", "token", "segment", "ledger", "quartz", "meadow", "harbor", "violet",
    ];

    public static ModelReference HostedModel { get; } = new()
    {
        Provider = "openai",
        Requested = "gpt-4o",
        Resolved = "gpt-4o-2024-08-06",
        Fingerprint = "fp_test",
        ApiVersion = "2024-10-01",
    };

    /// <summary>Adds one conversation to a new batch and returns it with the ids of its leaves.</summary>
    public static (CommitBatch Batch, string ConversationId, IReadOnlyList<string> Leaves) Create(int seed, int turns = 4, int branches = 2, bool withAttachment = true, string kind = "test")
    {
        var batch = new CommitBatch(kind);
        var (cid, leaves) = AddTo(batch, seed, turns, branches, withAttachment);
        return (batch, cid, leaves);
    }

    public static (string ConversationId, IReadOnlyList<string> Leaves) AddTo(CommitBatch batch, int seed, int turns = 4, int branches = 2, bool withAttachment = true)
    {
        var rng = new Random(seed);
        var created = new DateTime(2024, 1, 1, 0, 0, 0, DateTimeKind.Utc).AddMinutes(seed * 7);
        var raw = new JsonObject { ["id"] = $"conv-{seed}", ["title"] = $"Sample {seed}", ["messages"] = new JsonArray() };
        var record = new ConversationRecord
        {
            Format = "test",
            Source = "synthetic",
            SourceId = $"conv-{seed}",
            Title = $"Sample {seed}: {Sentence(rng, 3)}",
            Created = Stamp(created),
        };
        var part = batch.AddConversation(record);
        var model = batch.AddModel(HostedModel);
        string? attachment = null;
        if (withAttachment)
        {
            attachment = batch.AddBlob(Encoding.UTF8.GetBytes($"attachment {seed} " + Sentence(rng, 40)));
        }

        var root = part.AddNode(new Node
        {
            Role = "system",
            Content = [new TextBlock("You are a helpful assistant.")],
            Created = Stamp(created),
            Flags = [NodeFlags.System],
        });
        var leaves = new List<string>();
        for (var b = 0; b < Math.Max(1, branches); b++)
        {
            var parent = root;
            for (var t = 0; t < turns; t++)
            {
                var at = created.AddSeconds((t * 2) + 1);
                var userText = $"Question {t} (seed {seed}): " + Sentence(rng, 12);
                ((JsonArray)raw["messages"]!).Add(new JsonObject { ["role"] = "user", ["content"] = userText, ["branch"] = b });
                IReadOnlyList<ContentBlock> userContent = t == 0 && attachment is not null && b == 0
                    ? [new TextBlock(userText), new BlobBlock("attachment", attachment, "text/plain", "notes.txt", null)]
                    : [new TextBlock(userText)];
                // Branches share the first user turn: a regeneration forks below it.
                parent = part.AddNode(new Node { Parent = parent, Role = "user", Content = userContent, Created = Stamp(at) });
                var answer = $"Answer {t}.{b}: " + Sentence(rng, 30);
                IReadOnlyList<ContentBlock> content = t == 1
                    ? [new ThinkingBlock("Let me think. " + Sentence(rng, 8)), new ToolCallBlock($"call_{seed}_{t}_{b}", "lookup", new JsonObject { ["q"] = Sentence(rng, 2) }), new TextBlock(answer)]
                    : [new TextBlock(answer)];
                parent = part.AddNode(new Node
                {
                    Parent = parent,
                    Role = "assistant",
                    Content = content,
                    Created = Stamp(at.AddSeconds(1)),
                    Generation = new GenerationRecord
                    {
                        Model = model,
                        Parameters = new JsonObject { ["model"] = "gpt-4o", ["temperature"] = 0.7, ["seed"] = seed },
                        Seed = seed,
                        Usage = new JsonObject { ["prompt_tokens"] = 10 + t, ["completion_tokens"] = 30 },
                        FinishReason = "stop",
                        TimeToFirstTokenMs = 120,
                        TotalMs = 900,
                    },
                });
                ((JsonArray)raw["messages"]!).Add(new JsonObject { ["role"] = "assistant", ["content"] = answer, ["branch"] = b });
            }

            leaves.Add(parent);
        }

        part.AddRaw(Encoding.UTF8.GetBytes(raw.ToJsonString()));
        return (part.Id, leaves);
    }

    public static string Sentence(Random rng, int words)
    {
        var sb = new StringBuilder();
        for (var i = 0; i < words; i++)
        {
            if (i > 0)
            {
                sb.Append(' ');
            }

            sb.Append(Words[rng.Next(Words.Length)]);
        }

        return sb.ToString();
    }

    private static string Stamp(DateTime t) => t.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
