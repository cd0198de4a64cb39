using System.Globalization;

namespace Amber.Torture;

/// <summary>One campaign's count: trials run, items acknowledged, losses (an acknowledged item missing, an archive that does
/// not open or verify, a half commit), and findings worth reporting that are not losses.</summary>
public sealed class Tally(string campaign)
{
    public string Campaign { get; } = campaign;

    public int Trials { get; set; }

    /// <summary>Trials whose SIGKILL landed while the child still ran (the rest had finished first).</summary>
    public int Kills { get; set; }

    public long Acknowledged { get; set; }

    public List<string> Losses { get; } = [];

    /// <summary>Faults a campaign looks for and found as it should (e.g. rot detected by verify); counted, not losses.</summary>
    public long Detected { get; set; }

    public List<string> Notes { get; } = [];

    public void Loss(int trial, string what)
    {
        if (Losses.Count < 200)
        {
            Losses.Add($"trial {trial}: {what}");
        }
        else if (Losses.Count == 200)
        {
            Losses.Add("… (further losses not listed)");
        }
    }

    public bool Ok => Losses.Count == 0;

    public void Print(TextWriter output)
    {
        var c = CultureInfo.InvariantCulture;
        output.WriteLine(string.Create(c, $"{Campaign}: {Trials} trial(s), {Kills} SIGKILL(s) mid-run, {Acknowledged} acknowledged item(s), {Losses.Count} loss(es), {Detected} fault(s) detected"));
        foreach (var note in Notes)
        {
            output.WriteLine($"  note: {note}");
        }

        foreach (var loss in Losses)
        {
            output.WriteLine($"  LOSS: {loss}");
        }
    }
}
