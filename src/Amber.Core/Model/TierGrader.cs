namespace Amber.Core.Model;

/// <summary>Grades generated turns and instances honestly: an instance is only as good as its weakest generated turn.</summary>
public static class TierGrader
{
    /// <summary>The tier of one node, given the model reference its generation record names (if any).</summary>
    public static Tier Grade(Node node, ModelReference? model)
    {
        var g = node.Generation;
        if (g is null || model is null)
        {
            return Tier.T4;
        }

        var exact = model.WeightsSha256 is not null
            && model.EngineName is not null && model.EngineVersion is not null && model.EngineBuild is not null
            && (model.TokenizerSha256 is not null || model.TemplateSha256 is not null)
            && g.Parameters is not null && g.Seed is not null
            && g.PromptTokenIds is not null && g.OutputTokenIds is not null;
        if (exact)
        {
            return g.State is not null ? Tier.T1 : Tier.T2;
        }

        return model.Resolved is not null && g.Parameters is not null ? Tier.T3 : Tier.T4;
    }

    /// <summary>
    /// The tier of a root-to-leaf path: the worst tier among its generated turns (T4 if it has none).
    /// T1 needs the state saved at the leaf's own turn.
    /// </summary>
    public static Tier GradePath(IReadOnlyList<Node> path, Func<string, ModelReference?> models)
    {
        var worst = Tier.T1;
        var any = false;
        for (var i = 0; i < path.Count; i++)
        {
            var n = path[i];
            if (n.Generation is null)
            {
                continue;
            }

            any = true;
            var t = Grade(n, models(n.Generation.Model));
            if (t <= Tier.T2 && i != path.Count - 1)
            {
                // Earlier turns need only be exact: the state that counts is the one saved at the instance's end.
                continue;
            }

            if (t > worst)
            {
                worst = t;
            }
        }

        if (!any)
        {
            return Tier.T4;
        }

        if (worst == Tier.T1 && path[^1].Generation?.State is null)
        {
            worst = Tier.T2;
        }

        return worst;
    }
}
