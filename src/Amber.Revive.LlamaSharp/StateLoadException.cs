namespace Amber.Revive.LlamaSharp;

/// <summary>A frozen state could not be restored exactly (llama.cpp's own load does not report this).</summary>
public sealed class StateLoadException(string message) : Exception(message);
