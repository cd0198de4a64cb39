using System.Text.Json.Nodes;
using Amber.Cli.Infrastructure;
using Amber.Core.Hashing;
using Amber.Core.Model;
using Amber.Revive;
using Amber.Revive.LlamaSharp;
using Amber.Storage;

namespace Amber.Cli.Commands.Thaw;

internal static class ThawCommand
{
    /// <param name="overrideRest">The reason given with --override-rest, or null without it.</param>
    public static async Task<int> RunAsync(CliEnvironment env, string id, string models, string? message, int count, bool freeze, bool json, string? overrideRest, CancellationToken ct)
    {
        if (overrideRest is { } r && string.IsNullOrWhiteSpace(r))
        {
            env.Error.WriteLine("amber: --override-rest needs --reason TEXT (the reason is recorded).");
            return ExitCodes.Usage;
        }

        await using var archive = env.Open();
        if (LockedContent.Refuse(env, archive, id, "thaw"))
        {
            return ExitCodes.Failed;
        }

        try
        {
            var target = RevivalTarget.Resolve(archive, id);
            var (nodeId, node) = target.Path.LastOrDefault(p => p.Node.Generation is not null);
            if (node is not null && nodeId != target.LeafId)
            {
                // The state holds the context up to that answer; continuing it under a later node would record an answer to a context the model never saw.
                env.Error.WriteLine($"amber: {target.LeafId} is not the frozen answer itself; thaw {nodeId} (the last generated turn of this path) instead.");
                return ExitCodes.Failed;
            }

            if (node?.Generation?.State is not { } stateId)
            {
                env.Error.WriteLine($"amber: instance {target.LeafId} has no frozen state at its last generated turn (it is not T1; serve with --freeze to keep one).");
                return ExitCodes.Failed;
            }

            await RestMarks.EnsureMayReviveAsync(archive, TimeProvider.System, target, overrideRest, by: null, ct).ConfigureAwait(false);
            var blob = archive.GetBlob(stateId) ?? throw new ArgumentException($"the state blob {stateId} is not stored.");
            var state = FrozenState.FromBlob(blob);
            var path = new ModelDirectory(models).Find(state.WeightsSha256)
                ?? throw new ArgumentException($"the weights {state.WeightsSha256} are not under {models}.");
            var generation = node.Generation;
            var sampler = SamplerSettings.FromJson(generation.Schedule?["sampler"] as JsonObject ?? throw new FormatException($"node {nodeId}: the schedule has no sampler."), generation.Seed ?? 0) with { MaxTokens = count };
            var original = target.Models.GetValueOrDefault(generation.Model);
            using var model = LocalModel.Load(path, LocalEngineSettings.FromJson(state.Settings), original?.Requested);
            var append = message is null ? [] : model.ContinuationTokens(message);
            var g = await model.ThawAsync(state, append, sampler, freeze, ct: ct).ConfigureAwait(false);

            var batch = new CommitBatch("thaw");
            batch.AddModel(model.Reference);
            var part = batch.AddConversation(target.Conversation);
            var created = Amber.Core.Time.Timestamps.Format(TimeProvider.System.GetUtcNow());
            var parent = target.LeafId;
            if (message is not null)
            {
                parent = part.AddNode(new Node { Parent = parent, Role = "user", Content = [new TextBlock(message)], Created = created });
            }

            var record = g.ToRecord(model, g.State is null ? null : batch.AddBlob(g.State));
            record.Schedule!["thawed_from"] = stateId;
            var answerId = part.AddNode(new Node
            {
                Parent = parent,
                Role = "assistant",
                Content = [new TextBlock(g.Text)],
                Created = created,
                Generation = record,
                Meta = new JsonObject { ["thawed_from"] = stateId, ["continues"] = message is null },
            });
            await archive.CommitAsync(batch, ct).ConfigureAwait(false);

            if (json)
            {
                Output.JsonDocument(env.Out, new JsonObject
                {
                    ["instance"] = answerId,
                    ["thawed_from"] = stateId,
                    ["restored_tokens"] = state.CachedTokens,
                    ["text"] = g.Text,
                    ["output_token_ids"] = new JsonArray(g.OutputTokens.Select(t => (JsonNode)t).ToArray()),
                    ["finish_reason"] = g.FinishReason,
                    ["frozen"] = g.State is null ? null : ContentId.Of(g.State),
                });
            }
            else
            {
                env.Out.WriteLine($"amber: restored {state.CachedTokens} tokens of state {Output.ShortId(stateId)}; the logits after the pending token match the recorded ones.");
                env.Out.WriteLine(g.Text);
                env.Out.WriteLine($"amber: recorded as instance {answerId}.");
            }

            return ExitCodes.Ok;
        }
        catch (StateLoadException e)
        {
            env.Error.WriteLine($"amber: thaw failed: {e.Message}");
            return ExitCodes.Failed;
        }
        catch (Exception e) when (e is ArgumentException or FileNotFoundException or DirectoryNotFoundException or FormatException or RevivalRefusedException)
        {
            env.Error.WriteLine($"amber: {e.Message}");
            return ExitCodes.Failed;
        }
    }
}
