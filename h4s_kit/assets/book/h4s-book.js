/* h4s web book: nothing needed yet at run time (fixes are made in the HTML at build time). */
