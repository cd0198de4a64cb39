using System.Diagnostics;
using Amber.Core.Model;
using Amber.Storage;
using Amber.Testing;

namespace Amber.Torture;

/// <summary>
/// SIGKILL `amber revive` on the local model with `--freeze` at random moments. The command prints each answer only
/// after its turn is committed, so every answer a user saw must be in the archive, whole, under its own message, with
/// its frozen state; and no message of a trial may be there without its answer (a turn is one commit).
/// </summary>
public static class ReviveKillCampaign
{
    private const int Turns = 3;
    private const string Marker = " › ";

    public static Tally Run(CampaignSettings s)
    {
        var tally = new Tally("kill-revive");
        var model = SharedData.RequireModel("stories260K.gguf");
        var dir = Path.Combine(s.Work, "revive");
        ArchiveAudit.Delete(dir);
        AmberChild.Must(dir, ["import", .. Inputs.Small]);
        string leaf, conversation;
        using (var archive = Archive.Open(new ArchiveOptions { KeyProvider = CampaignKeys.Provider, Directory = dir, ReadOnly = true }))
        {
            var instance = archive.ListInstances(1).Single();
            (leaf, conversation) = (instance.Id, instance.Conversation);
        }

        var modelName = Path.GetFileNameWithoutExtension(model);
        // A turn's length, from a whole run (start-up, the model's load, three turns); each trial waits until a random number of
        // answers (0 to 2) is printed and then kills within 1.2 turns, so kills land before, inside and between commits whatever
        // the machine's load makes a turn take.
        var turn = KillCampaigns.Timed(() => AmberChild.Must(dir, Arguments(leaf, model, "reference"))) / (Turns + 1);
        var seen = new List<(int Trial, int Turn, string Answer, bool Last)>();
        var rng = new Random(s.Seed);
        var clock = Stopwatch.StartNew();
        for (var trial = 0; trial < s.Trials && s.TimeLeft(clock); trial++)
        {
            var before = rng.Next(Turns);
            var outcome = AmberChild.Run(
                dir,
                Arguments(leaf, model, Tag(trial)),
                killAfter: turn * (rng.NextDouble() * 1.2),
                armWhen: output => output.Contains("amber: reviving", StringComparison.Ordinal) && Answers(output, modelName).Count >= before);
            tally.Trials++;
            if (outcome.Killed)
            {
                tally.Kills++;
            }
            else if (outcome.ExitCode != 0)
            {
                tally.Loss(trial, $"revive failed without being killed (exit {outcome.ExitCode}): {outcome.Error.Trim()}");
            }

            var printed = Answers(outcome.Output, modelName);
            for (var t = 0; t < printed.Count; t++)
            {
                // The last answer printed before a kill may be cut in the pipe; the ones before it were followed by more output.
                seen.Add((trial, t, printed[t], Last: t == printed.Count - 1 && outcome.Killed));
                tally.Acknowledged++;
            }

            if (outcome.ExitCode == 0 && printed.Count != Turns)
            {
                tally.Loss(trial, $"revive exited 0 after printing {printed.Count} of {Turns} answers");
            }

            s.Log.WriteLine($"kill-revive trial {trial}: {(outcome.Killed ? "killed" : $"exited {outcome.ExitCode}")} after {printed.Count} answer(s)");
            ArchiveAudit.Check(dir, tally, trial, archive => Audit(archive, conversation, seen, tally, trial));
        }

        return tally;
    }

    private static string[] Arguments(string leaf, string model, string tag)
    {
        var args = new List<string> { "revive", leaf, "--model", $"local:{model}", "--no-notice", "--freeze", "--max-tokens", "16" };
        for (var turn = 0; turn < Turns; turn++)
        {
            args.AddRange(["--message", $"{tag} turn {turn}: Once upon a time"]);
        }

        return [.. args];
    }

    private static string Tag(int trial) => $"trial {trial}";

    /// <summary>The answers in revive's text output: each follows "MODEL › " at the start of a line and runs to the next such line or the closing "amber:" line.</summary>
    internal static List<string> Answers(string output, string modelName)
    {
        var answers = new List<string>();
        string? current = null;
        foreach (var line in output.Split('\n'))
        {
            if (line.StartsWith(modelName + Marker, StringComparison.Ordinal))
            {
                Add(answers, current);
                current = line[(modelName.Length + Marker.Length)..];
            }
            else if (line.StartsWith("amber: ", StringComparison.Ordinal))
            {
                Add(answers, current);
                current = null;
            }
            else if (current is not null)
            {
                current += "\n" + line;
            }
        }

        Add(answers, current);
        return answers;

        static void Add(List<string> answers, string? answer)
        {
            if (answer is not null)
            {
                answers.Add(answer.TrimEnd('\n'));
            }
        }
    }

    private static void Audit(Archive archive, string conversation, List<(int Trial, int Turn, string Answer, bool Last)> seen, Tally tally, int trial)
    {
        var tree = archive.GetConversation(conversation)?.Tree;
        if (tree is null)
        {
            tally.Loss(trial, $"the revived conversation {conversation} is gone");
            return;
        }

        var answerOf = new Dictionary<string, Node?>(StringComparer.Ordinal);
        foreach (var (id, node) in tree.Nodes)
        {
            if (node.Role == "user" && Text(node) is var text && text.StartsWith("trial ", StringComparison.Ordinal))
            {
                var children = tree.ChildrenOf(id);
                answerOf[text] = children.Count == 1 ? tree.Nodes[children[0]] : null;
                if (children.Count != 1)
                {
                    tally.Loss(trial, $"message \"{text}\" has {children.Count} answers (a turn is one commit: exactly one)");
                }
            }
        }

        foreach (var (t, turn, printed, last) in seen)
        {
            var message = $"{Tag(t)} turn {turn}: Once upon a time";
            if (!answerOf.TryGetValue(message, out var answer) || answer is null)
            {
                tally.Loss(trial, $"the answer printed for \"{message}\" is not in the archive");
                continue;
            }

            var stored = Text(answer).TrimEnd('\n');
            if (last ? !stored.StartsWith(printed, StringComparison.Ordinal) : stored != printed)
            {
                tally.Loss(trial, $"\"{message}\": the archive holds \"{stored}\", revive printed \"{printed}\"");
            }

            if (answer.Generation?.State is not { } state || !archive.ContainsBlob(state))
            {
                tally.Loss(trial, $"the answer to \"{message}\" lacks its frozen state");
            }
        }
    }

    private static string Text(Node node) => string.Concat(node.Content.OfType<TextBlock>().Select(b => b.Text));
}
