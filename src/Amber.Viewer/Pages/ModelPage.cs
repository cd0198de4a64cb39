using Amber.Core.Model;
using Amber.Storage;
using Amber.Viewer.Html;
using Amber.Viewer.Rendering;
using Amber.Viewer.Security;
using Microsoft.AspNetCore.Http;

namespace Amber.Viewer.Pages;

/// <summary>The model card: every field of a model reference, and what it lacks for exact re-derivation.</summary>
public static class ModelPage
{
    public static IResult Render(TenantView scope, string id)
    {
        ArgumentNullException.ThrowIfNull(scope);
        var full = id.StartsWith("sha256:", StringComparison.Ordinal) ? id : "sha256:" + id;
        var model = scope.CanSee(full) ? scope.Archive.GetModel(full) : null;
        if (model is null)
        {
            return PageLayout.NotFound($"No model reference {full}.");
        }

        return PageLayout.Page("Model " + model.DisplayName, w =>
        {
            w.Element("h1", model.DisplayName);
            WriteCard(w, full, model);
            using (w.Tag("p"))
            {
                w.Link(Urls.List(model: model.DisplayName), "Conversations with this model");
                w.Text(" · ");
                w.Link("/api/models/" + Urls.Hex(full), "JSON");
            }
        });
    }

    public static void WriteCard(HtmlWriter w, string id, ModelReference m)
    {
        using (w.Tag("dl", ("class", "facts model-card"), ("id", "model-card")))
        {
            void Field(string name, string? value)
            {
                w.Element("dt", name);
                w.Element("dd", value ?? "—", ("class", value is null ? "missing" : null));
            }

            Field("id", id);
            Field("provider", m.Provider);
            Field("requested", m.Requested);
            Field("resolved", m.Resolved);
            Field("fingerprint", m.Fingerprint);
            Field("api_version", m.ApiVersion);
            Field("weights_sha256", m.WeightsSha256);
            Field("tokenizer_sha256", m.TokenizerSha256);
            Field("template_sha256", m.TemplateSha256);
            Field("engine.name", m.EngineName);
            Field("engine.version", m.EngineVersion);
            Field("engine.build", m.EngineBuild);
            w.Element("dt", "settings");
            using (w.Tag("dd", ("class", m.Settings is null ? "missing" : null)))
            {
                if (m.Settings is null)
                {
                    w.Text("—");
                }
                else
                {
                    JsonView.Write(w, m.Settings);
                }
            }
        }

        var exact = new List<string>();
        if (m.WeightsSha256 is null)
        {
            exact.Add("weights_sha256");
        }

        if (m.EngineName is null || m.EngineVersion is null || m.EngineBuild is null)
        {
            exact.Add("engine name, version and build");
        }

        if (m.TokenizerSha256 is null && m.TemplateSha256 is null)
        {
            exact.Add("tokenizer_sha256 or template_sha256");
        }

        w.Element("p", exact.Count == 0
            ? "This reference names everything exact re-derivation (T2) needs from a model; each turn must still keep its sampler, seed and token ids."
            : $"For exact re-derivation (T2) this reference lacks: {string.Join(", ", exact)}." + (m.Resolved is null ? " Without a resolved snapshot id its turns are T4." : ""),
            ("class", "tier-missing"));
    }
}
