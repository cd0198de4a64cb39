using Amber.Core.Model;
using Amber.Revive.Replay;

namespace Amber.Revive.LlamaSharp;

/// <summary>
/// Re-derives T1/T2 turns of local models token for token: the weights located by digest, the model loaded
/// with the recorded settings, the recorded prompt token ids decoded on the recorded schedule, each step
/// sampled with the recorded sampler and per-step seed. It refuses (skipped, with the reason) rather than
/// report a result that could not be exact: another native build or engine version, a setting that
/// differs, missing weights or inputs.
/// </summary>
public sealed class LocalReplayer(ModelDirectory? models, Func<LocalEngineSettings, LocalEngineSettings>? adjust = null, Func<string, byte[]?>? blobs = null) : ITurnReplayer, IDisposable
{
    private readonly Dictionary<string, LocalModel> loaded = new(StringComparer.Ordinal);

    public async Task<TurnReport?> ReplayAsync(string nodeId, Node node, ModelReference? model, Tier tier, IReadOnlyList<(string Id, Node Node)> history, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(node);
        if (model is null || model.Provider != LocalModel.Provider || model.WeightsSha256 is null)
        {
            return null;
        }

        TurnReport Skip(string reason) => new() { Node = nodeId, Status = ReplayStatus.Skipped, Tier = tier.ToString(), Model = model.DisplayName, Reason = reason };
        var g = node.Generation!;
        if (tier is not (Tier.T1 or Tier.T2) || g.PromptTokenIds is null || g.OutputTokenIds is null || g.Seed is null || g.Schedule is null || model.Settings is null)
        {
            return Skip($"{tier}: the turn lacks recorded inputs (token ids, seed, schedule or engine settings)");
        }

        if (model.EngineVersion != LlamaRuntime.EngineVersion)
        {
            return Skip($"engine version differs: recorded \"{model.EngineVersion}\", here \"{LlamaRuntime.EngineVersion}\"");
        }

        if (model.EngineBuild != LlamaRuntime.Build)
        {
            return Skip($"native build differs: recorded \"{model.EngineBuild}\", here \"{LlamaRuntime.Build}\" (pin it with AMBER_LLAMA_AVX)");
        }

        FrozenState? thawedFrom = null;
        if ((string?)g.Schedule["thawed_from"] is { } stateId)
        {
            if (blobs?.Invoke(stateId) is not { } stateBlob)
            {
                return Skip($"the turn continued the frozen state {stateId}, which is not available here");
            }

            try
            {
                thawedFrom = FrozenState.FromBlob(stateBlob);
            }
            catch (Exception e) when (e is FormatException or StateLoadException)
            {
                return Skip($"the frozen state {stateId} it continued cannot be read: {e.Message}");
            }

            if (!g.PromptTokenIds.Take(thawedFrom.Tokens.Count).SequenceEqual(thawedFrom.Tokens))
            {
                return Skip($"the recorded prompt does not begin with the tokens of the frozen state {stateId}");
            }
        }
        else if ((g.Schedule["first_step"]?.GetValue<int>() ?? 0) != 0)
        {
            return Skip("the turn starts at a later sampler step but names no frozen state it continued");
        }

        if (models is null)
        {
            return Skip("give --models DIR holding the weights");
        }

        var path = models.Find(model.WeightsSha256);
        if (path is null)
        {
            return Skip($"weights {model.WeightsSha256} are not under {models.Directory}");
        }

        LocalEngineSettings settings;
        SamplerSettings sampler;
        try
        {
            settings = LocalEngineSettings.FromJson(model.Settings);
            sampler = SamplerSettings.FromJson(g.Schedule["sampler"] as System.Text.Json.Nodes.JsonObject ?? throw new FormatException("schedule: \"sampler\" is missing."), g.Seed.Value);
        }
        catch (Exception e) when (e is FormatException or InvalidOperationException)
        {
            return Skip("the recorded settings cannot be read: " + e.Message);
        }

        var used = adjust?.Invoke(settings) ?? settings;
        LocalModel local;
        try
        {
            local = Load(path, used);
        }
        catch (ArgumentException e)
        {
            return Skip("a recorded setting cannot be honoured: " + e.Message);
        }

        var differences = LocalModel.SettingDifferences(model.Settings, local.Reference.Settings!);
        if ((g.Schedule["prefill_chunk"]?.GetValue<long>() ?? -1) != Math.Min(local.Settings.BatchSize, local.Settings.ContextSize))
        {
            differences.Add($"prefill_chunk: recorded {g.Schedule["prefill_chunk"]}, here {Math.Min(local.Settings.BatchSize, local.Settings.ContextSize)}");
        }

        if (differences.Count > 0)
        {
            return Skip("a recorded setting differs: " + string.Join("; ", differences));
        }

        TokenReplay replay;
        try
        {
            replay = thawedFrom is null
                ? await local.ReplayAsync(g.PromptTokenIds, g.OutputTokenIds, sampler, ct).ConfigureAwait(false)
                : await local.ReplayThawedAsync(thawedFrom, g.PromptTokenIds.Skip(thawedFrom.Tokens.Count).ToList(), g.OutputTokenIds, sampler, ct).ConfigureAwait(false);
        }
        catch (StateLoadException e)
        {
            return Skip("the frozen state it continued cannot be restored here: " + e.Message);
        }

        return new TurnReport
        {
            Node = nodeId,
            Status = replay.Exact ? ReplayStatus.Exact : ReplayStatus.Diverged,
            Tier = tier.ToString(),
            Model = model.DisplayName,
            Tokens = replay.Tokens,
            DivergedAt = replay.DivergedAt,
            RecordedToken = replay.RecordedToken,
            ReplayedToken = replay.ReplayedToken,
        };
    }

    public void Dispose()
    {
        foreach (var m in loaded.Values)
        {
            m.Dispose();
        }

        loaded.Clear();
    }

    private LocalModel Load(string path, LocalEngineSettings settings)
    {
        var key = path + "\n" + settings.ToJson().ToJsonString();
        if (!loaded.TryGetValue(key, out var model))
        {
            model = LocalModel.Load(path, settings);
            loaded[key] = model;
        }

        return model;
    }
}
