using System.Globalization;
using System.Text.Json.Nodes;
using Amber.Core.Model;
using Amber.Storage;
using Amber.Storage.Reading;
using Amber.Viewer.Html;
using Amber.Viewer.Receipts;
using Amber.Viewer.Rendering;
using Amber.Viewer.Security;
using Microsoft.AspNetCore.Http;

namespace Amber.Viewer.Pages;

/// <summary>
/// One conversation as chat apps show it: the selected instance (root-to-leaf path) top to bottom, with a
/// "‹ k / n ›" switcher wherever the tree forks (a regeneration, an edit, a revival or a comparison), so every
/// branch is reachable. Links carry the selected leaf in <c>?leaf=</c>, so the page works without script.
/// </summary>
public static class ConversationPage
{
    public static IResult Render(TenantView scope, RenderCache cache, string id, string? leaf)
    {
        ArgumentNullException.ThrowIfNull(scope);
        var archive = scope.Archive;
        var resolved = scope.Resolve(id);
        if (resolved.Kind == ResolvedKind.Node)
        {
            var owners = scope.ConversationsOf(resolved.Id);
            return owners.Count == 0
                ? PageLayout.NotFound($"The node {resolved.Id} belongs to no conversation.")
                : Results.Redirect(Urls.Conversation(owners[0], resolved.Id, resolved.Id));
        }

        if (resolved.Kind != ResolvedKind.Conversation)
        {
            return PageLayout.NotFound($"{id}: {resolved.Problem}.");
        }

        var view = archive.GetConversation(resolved.Id);
        if (view is null)
        {
            return PageLayout.NotFound($"No conversation {resolved.Id}.");
        }

        var tree = view.Tree;
        var newestLeaves = NewestLeaves(tree);
        string? selected = null;
        if (leaf is not null)
        {
            var l = scope.Resolve(leaf);
            if (l.Kind != ResolvedKind.Node || !tree.Nodes.ContainsKey(l.Id))
            {
                return PageLayout.NotFound($"{leaf} is not a node of this conversation.");
            }

            selected = newestLeaves.GetValueOrDefault(l.Id, l.Id);
        }
        else if (tree.Roots.Count > 0)
        {
            selected = tree.Roots.Select(r => newestLeaves[r]).Aggregate((a, b) => Newer(tree, a, b) ? a : b);
        }

        var path = selected is null ? [] : tree.PathTo(selected);
        if (path.Count > 64)
        {
            // Render the messages' content on every core first; the page is then written in order from the cache.
            Parallel.ForEach(path, p => cache.Content(p.Id, p.Node));
        }

        ModelReference? Model(string m) => view.Models.TryGetValue(m, out var r) ? r : null;
        var annotations = archive.GetConversationAnnotations(view.Summary.Id).ToLookup(a => a.Target, StringComparer.Ordinal);
        var title = view.Summary.Title ?? "(untitled conversation)";
        return PageLayout.Page(title, w =>
        {
            WriteHeader(w, view, title, path, Model);
            WriteAnnotations(w, annotations[view.Summary.Id]);
            using (w.Tag("div", ("class", "toolbar")))
            {
                w.Element("button", "Show hidden and system messages", ("type", "button"), ("id", "toggle-hidden"), ("class", "js-only"));
                w.Element("button", "Expand thinking", ("type", "button"), ("id", "toggle-thinking"), ("class", "js-only"));
                w.Element("span", "Keys: j / k move between messages, [ / ] switch the focused message's branch.", ("class", "js-only keys muted"), ("id", "keys-help"));
            }

            using (w.Tag("section", ("class", "messages"), ("id", "messages")))
            {
                foreach (var (nodeId, node) in path)
                {
                    WriteNode(w, cache, view, tree, newestLeaves, nodeId, node, Model);
                    WriteAnnotations(w, annotations[nodeId]);
                }
            }

            if (selected is not null)
            {
                WriteReceipt(w, archive, selected);
            }

            WriteInstances(w, view, selected);
            WriteModels(w, view);
            WriteRaw(w, view);
        });
    }

    /// <summary>
    /// For every node, the most recently created leaf below it (a chat app's "latest branch"), in one
    /// post-order pass over the tree. Leaves without a time lose to leaves with one; ties go to the larger id.
    /// </summary>
    public static Dictionary<string, string> NewestLeaves(ConversationTree tree)
    {
        var newest = new Dictionary<string, string>(tree.Count, StringComparer.Ordinal);
        var stack = new Stack<(string Id, bool Expanded)>();
        foreach (var root in tree.Roots)
        {
            stack.Push((root, false));
        }

        while (stack.Count > 0)
        {
            var (id, expanded) = stack.Pop();
            var kids = tree.ChildrenOf(id);
            if (kids.Count == 0)
            {
                newest[id] = id;
                continue;
            }

            if (!expanded)
            {
                stack.Push((id, true));
                foreach (var kid in kids)
                {
                    stack.Push((kid, false));
                }

                continue;
            }

            string? best = null;
            foreach (var kid in kids)
            {
                if (newest.TryGetValue(kid, out var leaf) && (best is null || Newer(tree, leaf, best)))
                {
                    best = leaf;
                }
            }

            newest[id] = best ?? id;
        }

        return newest;
    }

    private static bool Newer(ConversationTree tree, string a, string b)
    {
        var c = string.CompareOrdinal(tree.Nodes[a].Created ?? "", tree.Nodes[b].Created ?? "");
        return c > 0 || (c == 0 && string.CompareOrdinal(a, b) > 0);
    }

    private static void WriteHeader(HtmlWriter w, ConversationView view, string title, IReadOnlyList<(string Id, Node Node)> path, Func<string, ModelReference?> model)
    {
        var s = view.Summary;
        w.Element("h1", title, ("class", "conversation-title"));
        using (w.Tag("dl", ("class", "facts")))
        {
            Fact(w, "id", s.Id);
            Fact(w, "source", $"{s.Source} ({s.Format}), source id {s.SourceId}");
            Fact(w, "created", s.Created);
            Fact(w, "updated", s.Updated);
            Fact(w, "size", $"{s.Nodes} {(s.Nodes == 1 ? "node" : "nodes")}, {s.Instances} {(s.Instances == 1 ? "instance" : "instances")}");
            w.Element("dt", "tier");
            using (w.Tag("dd"))
            {
                PageLayout.TierBadge(w, s.Tier);
                w.Text(" (the worst of its instances)");
            }
        }

        if (path.Count == 0)
        {
            w.Element("p", "This conversation has no messages.", ("class", "muted"));
            return;
        }

        var nodes = path.Select(p => p.Node).ToList();
        var tier = TierGrader.GradePath(nodes, model).ToString();
        using (w.Tag("div", ("class", "instance-tier"), ("id", "instance-tier")))
        {
            w.Text("This instance: ");
            PageLayout.TierBadge(w, tier);
            var missing = TierExplanation.ForPath(nodes, model);
            if (TierExplanation.Next(Enum.Parse<Tier>(tier)) is { } next)
            {
                using (w.Tag("details", ("class", "tier-missing")))
                {
                    w.Element("summary", $"What is missing for {next}");
                    if (missing.Count == 0)
                    {
                        w.Element("p", "No generated turn: a transcript of messages that no model generated stays T4.");
                    }

                    using (w.Tag("ul"))
                    {
                        foreach (var (index, fields) in missing.Take(20))
                        {
                            using (w.Tag("li"))
                            {
                                w.Link("#" + Urls.NodeAnchor(path[index].Id), $"turn {index + 1} ({path[index].Node.Role})");
                                w.Text(": " + string.Join(", ", fields));
                            }
                        }
                    }

                    if (missing.Count > 20)
                    {
                        w.Element("p", $"… and {missing.Count - 20} more turns.", ("class", "muted"));
                    }
                }
            }
        }
    }

    private static void Fact(HtmlWriter w, string name, string value)
    {
        w.Element("dt", name);
        w.Element("dd", value);
    }

    private static bool IsHidden(Node node)
        => node.Flags.Contains(NodeFlags.Hidden) || node.Flags.Contains(NodeFlags.System) || node.Role is "system" or "developer";

    private static string ForkKind(Node node, IReadOnlyList<string> siblings, ConversationTree tree)
    {
        if (node.Flags.Contains(NodeFlags.Revival))
        {
            return "revival";
        }

        if (node.Flags.Contains(NodeFlags.Comparison))
        {
            return "comparison";
        }

        if (siblings.Any(s => tree.Nodes[s].Flags.Contains(NodeFlags.Revival)))
        {
            return "original / revival";
        }

        return node.Role switch
        {
            "assistant" => "regenerated answer",
            "user" => "edited message",
            _ => "branch",
        };
    }

    private static void WriteNode(HtmlWriter w, RenderCache cache, ConversationView view, ConversationTree tree, Dictionary<string, string> newestLeaves, string nodeId, Node node, Func<string, ModelReference?> model)
    {
        var parentInTree = node.Parent is not null && tree.Nodes.ContainsKey(node.Parent);
        var siblings = parentInTree ? tree.ChildrenOf(node.Parent!) : tree.Roots;
        var anchor = Urls.NodeAnchor(nodeId);
        if (node.Flags.Contains(NodeFlags.Revival) || node.Flags.Contains(NodeFlags.Comparison))
        {
            using (w.Tag("div", ("class", "fork-marker")))
            {
                w.Text(node.Flags.Contains(NodeFlags.Revival) ? "Revival: a new branch continues the instance from here" : "Comparison: another model answers from here");
            }
        }

        if (siblings.Count > 1)
        {
            var k = IndexOf(siblings, nodeId);
            using (w.Tag("nav", ("class", "fork"), ("aria-label", "branches")))
            {
                w.Element("span", ForkKind(node, siblings, tree), ("class", "fork-kind"));
                var prev = k > 0 ? siblings[k - 1] : null;
                var next = k < siblings.Count - 1 ? siblings[k + 1] : null;
                BranchLink(w, view, newestLeaves, prev, "‹", "previous branch");
                w.Element("span", $"{k + 1} / {siblings.Count}", ("class", "fork-pos"));
                BranchLink(w, view, newestLeaves, next, "›", "next branch");
            }
        }

        var hidden = IsHidden(node);
        var classes = "node role-" + CssToken(node.Role) + (hidden ? " hidden-node" : "") + (node.Flags.Count > 0 ? " flagged" : "");
        using (w.Tag(hidden ? "details" : "article", ("class", classes), ("id", anchor), ("data-node", nodeId), ("tabindex", "-1")))
        {
            if (hidden)
            {
                w.Element("summary", $"{node.Role} message ({(node.Flags.Count > 0 ? string.Join(", ", node.Flags) : "hidden")}): show");
            }

            using (w.Tag("header", ("class", "node-head")))
            {
                w.Element("span", node.Role, ("class", "role"));
                if (node.Created is not null)
                {
                    w.Element("time", node.Created, ("datetime", node.Created));
                }

                foreach (var flag in node.Flags)
                {
                    w.Element("span", flag, ("class", "flag flag-" + CssToken(flag)));
                }

                if (node.Generation is { } g)
                {
                    var m = model(g.Model);
                    w.Link(Urls.Model(g.Model), m?.DisplayName ?? "unknown model", ("class", "model-link"));
                    var tier = TierGrader.Grade(node, m);
                    PageLayout.TierBadge(w, tier.ToString());
                }
            }

            using (w.Tag("div", ("class", "content")))
            {
                w.Html(cache.Content(nodeId, node));
            }

            if (node.Generation is { } gen)
            {
                WriteGeneration(w, node, gen, model(gen.Model));
            }

            using (w.Tag("footer", ("class", "node-foot")))
            {
                w.Element("code", ContentRenderer.Shorten(nodeId, 23));
                w.Link(Urls.NodePage(nodeId), "link", ("class", "node-link"), ("aria-label", "link to this message"), ("title", "A link to this message, on its branch"));
                w.Link(Urls.NodeJson(nodeId), "JSON");
                w.Link(Urls.ReceiptPage(nodeId), "receipt");
                if (node.Meta?["exchange"] is JsonValue ex && ex.TryGetValue<string>(out var exchange))
                {
                    w.Link(Urls.BlobPage(exchange), "raw exchange", ("class", "exchange-link"));
                }

                if (node.Meta is { Count: > 0 } meta)
                {
                    using (w.Tag("details", ("class", "meta")))
                    {
                        w.Element("summary", "meta");
                        JsonView.Write(w, meta);
                    }
                }
            }
        }
    }

    /// <summary>Statements made later about a node or the conversation (do-not-revive, preferences, notes).</summary>
    private static void WriteAnnotations(HtmlWriter w, IEnumerable<Annotation> annotations)
    {
        foreach (var a in annotations)
        {
            using (w.Tag("aside", ("class", "annotation annotation-" + CssToken(a.Kind))))
            {
                w.Element("strong", a.Kind == Annotation.Rest ? "rest: do not revive" : a.Kind);
                w.Text($" · {a.Created}{(a.By is null ? "" : " · by " + a.By)}");
                if (a.Reason is not null)
                {
                    w.Element("p", a.Reason);
                }

                if (a.Data is { Count: > 0 } data)
                {
                    JsonView.Write(w, data);
                }
            }
        }
    }

    private static void WriteGeneration(HtmlWriter w, Node node, GenerationRecord g, ModelReference? model)
    {
        using (w.Tag("details", ("class", "generation")))
        {
            w.Element("summary", "generation");
            using (w.Tag("dl", ("class", "facts")))
            {
                Fact(w, "model", g.Model);
                if (g.Seed is { } seed)
                {
                    Fact(w, "seed", seed.ToString(CultureInfo.InvariantCulture));
                }

                if (g.FinishReason is not null)
                {
                    Fact(w, "finish reason", g.FinishReason);
                }

                if (g.TimeToFirstTokenMs is not null || g.TotalMs is not null)
                {
                    Fact(w, "timings", $"first token {g.TimeToFirstTokenMs?.ToString(CultureInfo.InvariantCulture) ?? "?"} ms, total {g.TotalMs?.ToString(CultureInfo.InvariantCulture) ?? "?"} ms");
                }

                if (g.PromptTokenIds is not null)
                {
                    Fact(w, "prompt tokens", g.PromptTokenIds.Count.ToString(CultureInfo.InvariantCulture) + " ids kept");
                }

                if (g.OutputTokenIds is not null)
                {
                    Fact(w, "output tokens", g.OutputTokenIds.Count.ToString(CultureInfo.InvariantCulture) + " ids kept");
                }

                if (g.State is not null)
                {
                    w.Element("dt", "saved state");
                    using (w.Tag("dd"))
                    {
                        w.Link(Urls.Blob(g.State, name: "state-" + Urls.Hex(g.State)[..16] + ".bin", download: true), g.State);
                    }
                }
            }

            if (g.Parameters is not null)
            {
                w.Element("h4", "parameters");
                JsonView.Write(w, g.Parameters);
            }

            if (g.Usage is not null)
            {
                w.Element("h4", "usage");
                JsonView.Write(w, g.Usage);
            }

            if (g.Schedule is not null)
            {
                w.Element("h4", "schedule");
                JsonView.Write(w, g.Schedule);
            }

            var tier = TierGrader.Grade(node, model);
            if (TierExplanation.Next(tier) is { } next)
            {
                var missing = TierExplanation.MissingFor(node, model, next);
                w.Element("p", $"This turn is {tier}; for {next} it lacks: {string.Join(", ", missing)}.", ("class", "tier-missing"));
            }
        }
    }

    private static void BranchLink(HtmlWriter w, ConversationView view, Dictionary<string, string> newestLeaves, string? target, string text, string label)
    {
        if (target is null)
        {
            w.Element("span", text, ("class", "branch-link disabled"), ("aria-hidden", "true"));
            return;
        }

        var leaf = newestLeaves.GetValueOrDefault(target, target);
        w.Link(Urls.Conversation(view.Summary.Id, leaf, target), text, ("class", "branch-link"), ("aria-label", label), ("aria-keyshortcuts", text == "‹" ? "[" : "]"), ("rel", "nofollow"));
    }

    private static void WriteReceipt(HtmlWriter w, Archive archive, string leaf)
    {
        using (w.Tag("section", ("class", "receipt"), ("id", "receipt")))
        {
            w.Element("h2", "Receipt of this instance");
            var check = ReceiptCheck.For(archive, leaf);
            if (check.Receipt is null)
            {
                w.Element("p", "No receipt: " + check.Failure, ("class", "muted"));
                return;
            }

            w.Element("p", check.Valid
                ? $"Verified: log entry {check.Index} is included in the latest checkpoint ({check.CheckpointSize} entries) of {check.Origin}, signed by the archive's key."
                : "NOT verified: " + check.Failure, ("class", check.Valid ? "ok" : "bad"), ("id", "receipt-status"));
            using (w.Tag("p"))
            {
                w.Link(Urls.ReceiptDownload(leaf), "Download the receipt (c2sp.org/tlog-proof@v1)", ("id", "receipt-download"), ("download", ""));
                w.Text(" · ");
                w.Link(Urls.ReceiptPage(leaf), "details");
            }
        }
    }

    private static void WriteInstances(HtmlWriter w, ConversationView view, string? selected)
    {
        if (view.Instances.Count <= 1)
        {
            return;
        }

        using (w.Tag("section", ("class", "instances")))
        {
            w.Element("h2", $"Instances ({view.Instances.Count})");
            using (w.Tag("ol"))
            {
                foreach (var i in view.Instances.Take(500))
                {
                    using (w.Tag("li", ("class", i.Id == selected ? "current" : null)))
                    {
                        w.Link(Urls.Conversation(view.Summary.Id, i.Id), $"{i.Created} · {i.Depth} messages");
                        w.Text(" ");
                        PageLayout.TierBadge(w, i.Tier);
                    }
                }
            }
        }
    }

    private static void WriteModels(HtmlWriter w, ConversationView view)
    {
        if (view.Models.Count == 0)
        {
            return;
        }

        using (w.Tag("section", ("class", "models")))
        {
            w.Element("h2", "Models");
            using (w.Tag("ul"))
            {
                foreach (var (id, m) in view.Models)
                {
                    using (w.Tag("li"))
                    {
                        w.Link(Urls.Model(id), m.DisplayName);
                        w.Element("span", $" {m.Provider} · {id}", ("class", "muted"));
                    }
                }
            }
        }
    }

    private static void WriteRaw(HtmlWriter w, ConversationView view)
    {
        if (view.Raw.Count == 0)
        {
            return;
        }

        using (w.Tag("section", ("class", "raw")))
        {
            w.Element("h2", "Raw source objects");
            using (w.Tag("ul"))
            {
                foreach (var id in view.Raw)
                {
                    using (w.Tag("li"))
                    {
                        w.Link(Urls.BlobPage(id), id, ("class", "raw-link"));
                    }
                }
            }
        }
    }

    private static int IndexOf(IReadOnlyList<string> list, string id)
    {
        for (var i = 0; i < list.Count; i++)
        {
            if (list[i] == id)
            {
                return i;
            }
        }

        return 0;
    }

    /// <summary>A role or flag as a CSS class fragment: lowercase letters, digits and dashes only.</summary>
    public static string CssToken(string value)
    {
        Span<char> buffer = stackalloc char[Math.Min(value.Length, 32)];
        for (var i = 0; i < buffer.Length; i++)
        {
            var c = char.ToLowerInvariant(value[i]);
            buffer[i] = c is (>= 'a' and <= 'z') or (>= '0' and <= '9') ? c : '-';
        }

        return new string(buffer);
    }
}
