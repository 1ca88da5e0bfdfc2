using System.Collections.Concurrent;

namespace Eddy.Web;

/// <summary>
/// The app's shared services, kept simple: singletons registered by type, made eagerly or on first
/// use. Handlers get them with <see cref="Request.GetService{T}"/>. For scopes and constructor
/// injection, plug in Microsoft.Extensions.DependencyInjection with <see cref="App.UseServiceProvider"/>.
/// </summary>
public sealed class ServiceRegistry : IServiceProvider
{
    private readonly ConcurrentDictionary<Type, Lazy<object>> _services = new();

    /// <summary>Registers <paramref name="instance"/> as the <typeparamref name="T"/> service.</summary>
    /// <typeparam name="T">The type handlers ask for.</typeparam>
    /// <param name="instance">The instance, shared by every request and loop.</param>
    /// <returns>This registry.</returns>
    public ServiceRegistry Add<T>(T instance) where T : class
    {
        ArgumentNullException.ThrowIfNull(instance);
        _services[typeof(T)] = new Lazy<object>(instance);
        return this;
    }

    /// <summary>Registers a factory that makes the <typeparamref name="T"/> service on first use, once.</summary>
    /// <typeparam name="T">The type handlers ask for.</typeparam>
    /// <param name="factory">Makes it; may ask the registry for other services.</param>
    /// <returns>This registry.</returns>
    public ServiceRegistry Add<T>(Func<IServiceProvider, T> factory) where T : class
    {
        ArgumentNullException.ThrowIfNull(factory);
        _services[typeof(T)] = new Lazy<object>(() => factory(this), LazyThreadSafetyMode.ExecutionAndPublication);
        return this;
    }

    /// <inheritdoc/>
    public object? GetService(Type serviceType) => _services.TryGetValue(serviceType, out var lazy) ? lazy.Value : null;
}
