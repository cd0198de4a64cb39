using System.Text;
using Amber.Core.Model;
using Amber.Testing;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace Amber.Capture.Tests;

public sealed class StitchingProperties
{
    private static readonly ModelReference Model = new() { Provider = "openai", Requested = "gpt-4o" };

    /// <summary>
    /// Whatever order a client walks its conversations in, each call repeating the history it was given, the
    /// stored trees are exactly the trie of the user turns: one conversation per first turn, one user and one
    /// answer node per distinct prefix, and one instance per prefix that nothing extends.
    /// </summary>
    [Property(MaxTest = 25)]
    public Property RecordAsync_CallsAlongRandomPaths_BuildTheTrieOfTheirTurns()
    {
        var turn = Gen.Elements("a", "b", "c");
        var path = Gen.ListOf(turn).Where(p => p.Count is > 0 and <= 4).Select(p => p.ToList());
        var paths = Gen.ListOf(path).Where(ps => ps.Count is > 0 and <= 6).Select(ps => ps.ToList());
        return Prop.ForAll(paths.ToArbitrary(), ps =>
        {
            using var t = new TestArchives(FileSystemKind.InMemory);
            using var archive = t.Init();
            var recorder = new ConversationRecorder(archive, t.Clock);
            foreach (var p in ps)
            {
                for (var k = 1; k <= p.Count; k++)
                {
                    var prompt = new List<Node>();
                    for (var i = 0; i < k; i++)
                    {
                        prompt.Add(Text("user", p[i]));
                        if (i < k - 1)
                        {
                            prompt.Add(Text("assistant", AnswerTo(p.Take(i + 1))));
                        }
                    }

                    recorder.RecordAsync(new CapturedExchange
                    {
                        Source = "openai.chat",
                        Prompt = prompt,
                        Answer = Text("assistant", AnswerTo(p.Take(k))) with { Generation = new GenerationRecord { Model = Model.Id } },
                        Model = Model,
                        Raw = Encoding.UTF8.GetBytes(string.Concat(p.Take(k))),
                    }).GetAwaiter().GetResult();
                }
            }

            var prefixes = ps.SelectMany(p => Enumerable.Range(1, p.Count).Select(k => string.Concat(p.Take(k)))).ToHashSet(StringComparer.Ordinal);
            var maximal = prefixes.Count(x => !prefixes.Any(y => y.Length > x.Length && y.StartsWith(x, StringComparison.Ordinal)));
            var conversations = archive.ListConversations(100);
            var nodes = conversations.Sum(c => c.Nodes);
            var instances = conversations.Sum(c => c.Instances);
            return (conversations.Count == ps.Select(p => p[0]).Distinct().Count() && nodes == 2 * prefixes.Count && instances == maximal)
                .Label($"conversations {conversations.Count}, nodes {nodes} (want {2 * prefixes.Count}), instances {instances} (want {maximal})");
        });
    }

    private static string AnswerTo(IEnumerable<string> turns) => "answer to " + string.Concat(turns);

    private static Node Text(string role, string text) => new() { Role = role, Content = [new TextBlock(text)] };
}
