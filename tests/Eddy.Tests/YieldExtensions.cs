using Eddy.Coroutines;

namespace Eddy.Tests;

internal static class YieldExtensions
{
    public static async Task AsTask(this YieldAwaitable awaitable) => await awaitable;
}
