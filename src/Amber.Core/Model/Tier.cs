namespace Amber.Core.Model;

/// <summary>Preservation tiers, best first. See BRIEF.md.</summary>
public enum Tier
{
    /// <summary>T2 plus the inference state at the instance's end, restorable.</summary>
    T1 = 1,

    /// <summary>Exact re-derivation: weights, engine build and settings, tokenizer/template, sampler, seed, token ids.</summary>
    T2 = 2,

    /// <summary>Close replication: resolved model snapshot, fingerprint, full request.</summary>
    T3 = 3,

    /// <summary>Transcript: messages, model name at most.</summary>
    T4 = 4,
}
