namespace Amber.Fuzz.Soak;

/// <summary>amber-fuzz soak [--minutes M] [--rate R]: the gateway fault matrix at R calls per second (default 10) for M minutes (default 10).</summary>
public static class SoakCommand
{
    public static int Run(Dictionary<string, string> options)
    {
        var minutes = Program.Number(options, "minutes", 10);
        var rate = Program.Number(options, "rate", 10);
        var tally = GatewaySoak.RunAsync(TimeSpan.FromMinutes(minutes), rate, Console.Error.WriteLine).GetAwaiter().GetResult();
        Console.WriteLine(tally);
        foreach (var problem in tally.Problems)
        {
            Console.WriteLine("    " + problem);
        }

        return tally.Clean ? 0 : 1;
    }
}
