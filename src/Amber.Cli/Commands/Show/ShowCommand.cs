using System.Text.Json.Nodes;
using Amber.Cli.Infrastructure;
using Amber.Core.Model;
using Amber.Storage;
using Amber.Storage.Reading;

namespace Amber.Cli.Commands.Show;

internal static class ShowCommand
{
    public static int Run(CliEnvironment env, string id, bool raw, bool json)
    {
        using var archive = env.Open();
        var resolved = archive.Resolve(id);
        if (resolved.Kind == ResolvedKind.None)
        {
            if (archive.Encryption.KeyStore?.Get(id) is { State: not Amber.Storage.Keys.KeyState.Wrapped } row)
            {
                env.Error.WriteLine($"amber: {new ContentLockedException(id, row.State, hasKeyProvider: true).Message}");
                return ExitCodes.Failed;
            }

            env.Error.WriteLine($"amber: {id}: {resolved.Problem}.");
            return ExitCodes.Failed;
        }

        var conversationId = resolved.Kind == ResolvedKind.Conversation ? resolved.Id : archive.ConversationsOf(resolved.Id).FirstOrDefault();
        var view = conversationId is null ? null : archive.GetConversation(conversationId);
        if (view is null)
        {
            env.Error.WriteLine($"amber: {id}: the node belongs to no conversation.");
            return ExitCodes.Failed;
        }

        if (raw)
        {
            return PrintRaw(env, archive, view);
        }

        if (resolved.Kind == ResolvedKind.Node)
        {
            var path = view.Tree.PathTo(resolved.Id);
            if (json)
            {
                Output.JsonDocument(env.Out, new JsonObject
                {
                    ["id"] = resolved.Id,
                    ["conversation"] = view.Summary.Id,
                    ["title"] = view.Summary.Title,
                    ["node_list"] = new JsonArray(path.Select(p => (JsonNode)ReadingJson.Node(p.Id, p.Node)).ToArray()),
                });
                return ExitCodes.Ok;
            }

            Header(env.Out, view);
            env.Out.WriteLine($"instance {resolved.Id} ({path.Count} nodes)");
            env.Out.WriteLine();
            foreach (var (nid, node) in path)
            {
                WriteNode(env.Out, nid, node, view, "");
            }

            return ExitCodes.Ok;
        }

        if (json)
        {
            Output.JsonDocument(env.Out, ReadingJson.Conversation(view));
            return ExitCodes.Ok;
        }

        Header(env.Out, view);
        env.Out.WriteLine();
        var stack = new Stack<(string Id, string Indent)>(view.Tree.Roots.Reverse().Select(r => (r, "")));
        while (stack.Count > 0)
        {
            var (nid, indent) = stack.Pop();
            WriteNode(env.Out, nid, view.Tree.Nodes[nid], view, indent);
            var kids = view.Tree.ChildrenOf(nid);
            var childIndent = kids.Count > 1 ? indent + "  │ " : indent;
            for (var k = kids.Count - 1; k >= 0; k--)
            {
                stack.Push((kids[k], kids.Count > 1 ? indent + $"  ├─[{k + 1}/{kids.Count}] " : childIndent));
            }
        }

        return ExitCodes.Ok;
    }

    private static int PrintRaw(CliEnvironment env, Archive archive, ConversationView view)
    {
        if (view.Raw.Count == 0)
        {
            env.Error.WriteLine($"amber: conversation {view.Summary.Id} has no raw source kept.");
            return ExitCodes.Failed;
        }

        if (view.Raw.Count > 1)
        {
            env.Info.WriteLine($"amber: {view.Raw.Count} raw sources are kept for this conversation (one per import that changed it); printing the newest.");
        }

        var bytes = archive.GetBlob(view.Raw[^1])!;
        using var stdout = env.Out == Console.Out ? Console.OpenStandardOutput() : null;
        if (stdout is not null)
        {
            stdout.Write(bytes);
            stdout.WriteByte((byte)'\n');
        }
        else
        {
            env.Out.WriteLine(System.Text.Encoding.UTF8.GetString(bytes));
        }

        return ExitCodes.Ok;
    }

    private static void Header(TextWriter w, ConversationView view)
    {
        var s = view.Summary;
        w.WriteLine($"{s.Title ?? "(untitled)"}");
        w.WriteLine($"conversation {s.Id}");
        w.WriteLine($"source {s.Source} ({s.Format}), created {s.Created}, {s.Nodes} nodes, {s.Instances} instances, tier {s.Tier}");
        if (s.Models.Count > 0)
        {
            w.WriteLine($"models {string.Join(", ", s.Models)}");
        }
    }

    private static void WriteNode(TextWriter w, string id, Node node, ConversationView view, string indent)
    {
        var flags = node.Flags.Count > 0 ? " [" + string.Join(", ", node.Flags) + "]" : "";
        var model = node.Generation is { } g && view.Models.TryGetValue(g.Model, out var m) ? " · " + m.DisplayName : "";
        w.WriteLine($"{indent}── {node.Role}{model}{flags} · {Output.ShortId(id)}{(node.Created is null ? "" : " · " + node.Created)}");
        var pad = indent.Replace("├─", "│ ", StringComparison.Ordinal);
        pad = System.Text.RegularExpressions.Regex.Replace(pad, @"\[\d+/\d+\] ", m => new string(' ', m.Length));
        foreach (var block in node.Content)
        {
            foreach (var line in Describe(block).Split('\n'))
            {
                w.WriteLine($"{pad}   {line}");
            }
        }

        w.WriteLine(pad.TrimEnd());
    }

    private static string Describe(ContentBlock block) => block switch
    {
        TextBlock t => t.Text,
        ThinkingBlock th => th.Redacted ? "(thinking, redacted)" : "(thinking) " + th.Text,
        ToolCallBlock c => $"(tool call {c.Name}{(c.Id is null ? "" : " " + c.Id)}) {c.Arguments?.ToJsonString()}",
        ToolResultBlock r => $"(tool result{(r.CallId is null ? "" : " " + r.CallId)}{(r.IsError ? ", error" : "")}) " + string.Join("\n", r.Content.Select(Describe)),
        BlobBlock b => $"({b.BlobKind} {b.Name ?? ""} {b.MediaType ?? ""} {b.Size?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "?"} bytes, {b.Blob})",
        OpaqueBlock o => $"({o.Provider} {o.ItemType}) {o.Value?.ToJsonString()}",
        _ => block.Type,
    };
}
