"""Cat pictures: the gallery (`gallery`, with the tutorial's `kitty`), direct uploads (`uploads`),
registration (`registration`, with `images`: what an upload really is), the `quota`, and the
streaming ZIP of every picture (`archive`). Records are `catsite.stores.pictures`. Importing this
package imports nothing."""
