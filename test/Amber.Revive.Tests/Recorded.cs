namespace Amber.Revive.Tests;

/// <summary>Takes each progress report on the reporting thread, in order (Progress&lt;T&gt; would post them to the pool).</summary>
internal sealed class Recorded<T>(Action<T> take) : IProgress<T>
{
    public void Report(T value) => take(value);
}
