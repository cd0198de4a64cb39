using System.Globalization;

namespace Amber.Proxy.Otlp;

/// <summary>What became of the spans of one export, for the partial-success answer.</summary>
internal sealed class OtlpTally
{
    private readonly List<string> problems = [];

    public int Recorded { get; set; }

    public int Duplicates { get; set; }

    public int NotGenAi { get; private set; }

    public int OtherGenAi { get; private set; }

    public long Rejected { get; private set; }

    public void Ignore(bool genAi)
    {
        if (genAi)
        {
            OtherGenAi++;
        }
        else
        {
            NotGenAi++;
        }
    }

    public void Reject(string problem)
    {
        Rejected++;
        if (problems.Count < 5)
        {
            problems.Add(problem);
        }
    }

    /// <summary>Null when every span was a recorded model call; else a sentence naming what was not recorded and why (OTLP's partial-success warning).</summary>
    public string? Message()
    {
        var parts = new List<string>();
        if (Rejected > 0)
        {
            parts.Add($"rejected {N(Rejected)} GenAI span(s): {string.Join(" ", problems)}");
        }

        if (NotGenAi > 0)
        {
            parts.Add($"ignored {N(NotGenAi)} span(s) without gen_ai attributes");
        }

        if (OtherGenAi > 0)
        {
            parts.Add($"ignored {N(OtherGenAi)} GenAI span(s) that are not model calls (embeddings, tools, agents)");
        }

        if (Duplicates > 0)
        {
            parts.Add($"{N(Duplicates)} span(s) were already recorded");
        }

        return parts.Count == 0 ? null : $"amber: recorded {N(Recorded)} model call(s); " + string.Join("; ", parts) + ".";
    }

    private static string N(long n) => n.ToString(CultureInfo.InvariantCulture);
}
