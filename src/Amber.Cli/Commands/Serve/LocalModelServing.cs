using Amber.Revive.LlamaSharp;
using Amber.Revive.LlamaSharp.Hosting;
using Amber.Viewer;

namespace Amber.Cli.Commands.Serve;

/// <summary>
/// `amber serve --local-model NAME=PATH.gguf [--freeze]`: loads the models and composes the local model
/// host onto the server. It runs in front of the endpoints, so chat-completions requests for a local NAME
/// are answered here and any other model falls through to the gateway (see ILocalModelRouter).
/// </summary>
internal static class LocalModelServing
{
    /// <summary>Returns the registry to dispose at shutdown, or null when no local model was given.</summary>
    public static LocalModelRegistry? Configure(AmberServerOptions options, IReadOnlyList<string> specs, bool freeze, TextWriter output)
    {
        if (specs.Count == 0)
        {
            if (freeze)
            {
                throw new ArgumentException("--freeze applies to local models; give --local-model NAME=PATH.gguf.");
            }

            return null;
        }

        var registry = new LocalModelRegistry { Freeze = freeze };
        try
        {
            foreach (var spec in specs)
            {
                var (name, path) = LocalModelRegistry.ParseSpec(spec);
                var model = LocalModel.Load(path, name: name);
                registry.Add(model);
                output.WriteLine($"amber: local model {name} = {model.Path} ({model.Reference.WeightsSha256}, {model.Reference.EngineBuild}{(freeze ? ", freezing state" : "")})");
            }
        }
        catch
        {
            registry.Dispose();
            throw;
        }

        options.Services.Add(s => s.AddLocalModels(registry));
        options.Endpoints.Add(e => e.UseLocalModels());
        return registry;
    }
}
