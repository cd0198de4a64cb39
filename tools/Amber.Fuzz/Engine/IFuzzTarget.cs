namespace Amber.Fuzz.Engine;

/// <summary>
/// One parser under fuzzing. <see cref="Run"/> feeds it one input and returns how it answered; any exception
/// that escapes is a crash (the target catches exactly the parser's documented error type and nothing else).
/// </summary>
public interface IFuzzTarget : IDisposable
{
    /// <summary>The name used on the command line (e.g. import-chatgpt, canonical-json).</summary>
    string Name { get; }

    /// <summary>Valid inputs the mutator starts from: small, synthetic, or read from ../shared/samples at run time.</summary>
    IReadOnlyList<byte[]> Seeds { get; }

    Verdict Run(byte[] input);
}
