using System.Text.Json.Nodes;
using Amber.Core.Model;
using Amber.Storage;
using Microsoft.Extensions.AI;

namespace Amber.Revive;

/// <summary>
/// Replays an instance's user turns against another model and saves the result as a branch of the same
/// conversation: the user (and system) nodes are re-created under the new answers (the first ones, having
/// the same parent and content, are the very same nodes), and every new answer is flagged comparison and
/// points at the answer it is compared with. Nothing is sent about the original answers: the other model
/// holds its own conversation.
/// </summary>
public sealed class Comparer(Archive archive, TimeProvider time)
{
    /// <param name="overrideRestReason">Why to go ahead although the instance is marked do-not-revive (recorded); null refuses.</param>
    public async Task<IReadOnlyList<ComparisonTurn>> CompareAsync(string instanceId, RevivalBackend backend, CancellationToken ct = default, string? overrideRestReason = null)
    {
        ArgumentNullException.ThrowIfNull(backend);
        var target = RevivalTarget.Resolve(archive, instanceId);
        await RestMarks.EnsureMayReviveAsync(archive, time, target, overrideRestReason, by: null, ct).ConfigureAwait(false);
        var turns = new List<ComparisonTurn>();
        var messages = new List<ChatMessage>();
        string? parent = null;
        var batch = new CommitBatch("compare");
        var part = batch.AddConversation(target.Conversation);
        for (var i = 0; i < target.Path.Count; i++)
        {
            var (id, node) = target.Path[i];
            if (node.Role != "assistant")
            {
                var copy = node with { Parent = parent };
                parent = part.AddNode(copy);
                messages.AddRange(ChatHistory.FromPath([(parent, copy)]));
                continue;
            }

            if (messages.Count == 0 || messages[^1].Role != ChatRole.User)
            {
                continue; // an assistant turn with no user turn before it is not a reply to compare
            }

            var started = time.GetTimestamp();
            var response = await backend.Client.GetResponseAsync(messages, backend.Options.Clone(), ct).ConfigureAwait(false);
            var model = backend.ModelOf(response);
            batch.AddModel(model);
            var answer = new Node
            {
                Parent = parent,
                Role = "assistant",
                Content = [new TextBlock(response.Text)],
                Created = RestMarks.Rfc3339(time),
                Generation = backend.GenerationOf(response, model, (long)time.GetElapsedTime(started).TotalMilliseconds),
                Flags = [NodeFlags.Comparison],
                Meta = new JsonObject { ["compared_with"] = id },
            };
            parent = part.AddNode(answer);
            messages.Add(new ChatMessage(ChatRole.Assistant, response.Text));
            var original = node.Generation?.Model is { } m ? target.Models.GetValueOrDefault(m)?.DisplayName : null;
            turns.Add(new ComparisonTurn(ChatHistory.TextOf(target.Path[i - 1].Node), id, ChatHistory.TextOf(node), original, parent, response.Text, model.DisplayName));
        }

        if (turns.Count == 0)
        {
            throw new ArgumentException($"instance {target.LeafId} has no user turn answered by a model; there is nothing to compare.");
        }

        await archive.CommitAsync(batch, ct).ConfigureAwait(false);
        return turns;
    }
}
