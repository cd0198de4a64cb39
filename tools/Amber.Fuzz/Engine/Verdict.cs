namespace Amber.Fuzz.Engine;

/// <summary>What a parser did with one input; a crash is not a verdict but an exception the target lets through.</summary>
public enum Verdict
{
    /// <summary>The parser read the input.</summary>
    Accepted,

    /// <summary>The parser refused the input with its documented error.</summary>
    Rejected,
}
