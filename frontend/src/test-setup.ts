// Unmounts what each test rendered, so tests never see each other's DOM.
import '@testing-library/svelte/vitest'
