using System.Security.Cryptography;

namespace Amber.Revive.LlamaSharp.Hosting;

/// <summary>The local models `amber serve --local-model NAME=PATH.gguf` hosts, by name.</summary>
public sealed class LocalModelRegistry : ILocalModelRouter, IDisposable
{
    private readonly Dictionary<string, LocalModel> models = new(StringComparer.Ordinal);

    /// <summary>Save the inference state at the end of every answer (T1).</summary>
    public bool Freeze { get; init; }

    /// <summary>Fills response-id and default-seed bytes (injected for tests).</summary>
    public Action<Span<byte>> Random { get; init; } = RandomNumberGenerator.Fill;

    /// <summary>The clock for response times and recorded node times.</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;

    public IReadOnlyDictionary<string, LocalModel> Models => models;

    /// <summary>Parses NAME=PATH.gguf, the form of --local-model.</summary>
    public static (string Name, string Path) ParseSpec(string spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var eq = spec.IndexOf('=', StringComparison.Ordinal);
        if (eq <= 0 || eq == spec.Length - 1)
        {
            throw new ArgumentException($"--local-model expects NAME=PATH.gguf, not \"{spec}\".");
        }

        return (spec[..eq].Trim(), spec[(eq + 1)..].Trim());
    }

    public void Add(LocalModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (!models.TryAdd(model.Name, model))
        {
            throw new ArgumentException($"--local-model: the name \"{model.Name}\" is given twice.");
        }
    }

    public bool IsLocal(string model) => models.ContainsKey(model);

    public void Dispose()
    {
        foreach (var m in models.Values)
        {
            m.Dispose();
        }

        models.Clear();
    }
}
