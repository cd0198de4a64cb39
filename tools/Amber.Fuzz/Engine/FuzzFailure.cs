namespace Amber.Fuzz.Engine;

/// <summary>A target's own check failed (an archive changed by a rejected input, two readers disagreeing): counted as a crash.</summary>
public sealed class FuzzFailure : Exception
{
    public FuzzFailure(string message)
        : base(message)
    {
    }

    public FuzzFailure(string message, Exception inner)
        : base(message, inner)
    {
    }

    public FuzzFailure()
    {
    }
}
