using Amber.Testing;

namespace Amber.Revive.LlamaSharp.Tests;

/// <summary>A random-weight GGUF written by the test itself (no ../shared needed), loaded once per class.</summary>
public sealed class TinyModelFixture : IDisposable
{
    private readonly TempDirectory temp = new("amber-tiny-gguf");

    public TinyModelFixture()
    {
        System.IO.Directory.CreateDirectory(temp.Combine("models"));
        ModelPath = TinyGguf.Write(temp.Combine("models", "tiny.gguf"), context: 4096);
        Model = LocalModel.Load(ModelPath, new LocalEngineSettings { ContextSize = 512, BatchSize = 64, UBatchSize = 64 }, name: "tiny");
    }

    public string ModelPath { get; }

    public string ModelsDirectory => temp.Combine("models");

    public LocalModel Model { get; }

    public string Combine(string name) => temp.Combine(name);

    public void Dispose()
    {
        Model.Dispose();
        temp.Dispose();
    }
}
