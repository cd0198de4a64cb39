using System.CommandLine;
using Amber.Torture;

// Usage: Amber.Torture CAMPAIGN [--trials N] [--minutes M] [--seed S] [--work DIR] [--verbose]
// Prints the campaign's tally; exits 1 on any loss. See docs/RELIABILITY.md.
var trials = new Option<int>("--trials") { Description = "Stop after this many trials", DefaultValueFactory = _ => 100 };
var minutes = new Option<double>("--minutes") { Description = "Stop after this many minutes (checked between trials)", DefaultValueFactory = _ => 10 };
var seed = new Option<int>("--seed") { Description = "Seeds the random moments and positions (a run repeats)", DefaultValueFactory = _ => 18 };
var work = new Option<string?>("--work") { Description = "Scratch folder for the archives (default: a new folder under the temp folder)" };
var verbose = new Option<bool>("--verbose") { Description = "One line per trial on stderr" };
var root = new RootCommand("Amber's reliability campaigns (docs/RELIABILITY.md)");
foreach (var (name, (description, run)) in Campaigns.All)
{
    var command = new Command(name, description) { trials, minutes, seed, work, verbose };
    command.SetAction(parse =>
    {
        var dir = parse.GetValue(work) ?? Directory.CreateTempSubdirectory("amber-torture-").FullName;
        Directory.CreateDirectory(dir);
        var settings = new CampaignSettings(parse.GetValue(trials), parse.GetValue(minutes), parse.GetValue(seed), dir)
        {
            Log = parse.GetValue(verbose) ? Console.Error : TextWriter.Null,
        };
        var tally = run(settings);
        tally.Print(Console.Out);
        if (tally.Ok)
        {
            Directory.Delete(dir, recursive: true);
            return 0;
        }

        Console.Out.WriteLine($"archives kept for inspection in {dir}");
        return 1;
    });
    root.Subcommands.Add(command);
}

return await root.Parse(args).InvokeAsync();
