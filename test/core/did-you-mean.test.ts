import assert from 'node:assert/strict';
import { test } from 'node:test';
import { budgetedDidYouMean, didYouMean } from '../../src/core/did-you-mean.ts';

test('didYouMean suggests the closest candidate within two steps, a swapped pair being one, never the word itself', () => {
  assert.equal(didYouMean('productpgae', ['reviews', 'productpage']), 'productpage');
  assert.equal(didYouMean('reveiws', ['reviews', 'ratings']), 'reviews');
  assert.equal(didYouMean('payments', ['bookinfo', 'checkout']), undefined);
  assert.equal(didYouMean('reviews', ['reviews']), undefined);
});

test('budgetedDidYouMean stops comparing once its budget is spent, answers a repeated word once, and keeps groups apart', () => {
  const suggest = budgetedDidYouMean(5);
  const bookinfo = ['productpage', 'reviews', 'details', 'ratingz', 'ratings'];
  // "ratinsg" (7 letters) is compared with the four names of 5 to 9 letters: 4 of the 5.
  assert.equal(suggest('ratinsg', 'bookinfo', bookinfo), ' (did you mean "ratings"?)');
  assert.equal(suggest('ratinsg', 'bookinfo', bookinfo), ' (did you mean "ratings"?)', 'answered again, for free');
  // Another group's names: "api" against "apy" is 1 comparison, within the one left.
  assert.equal(suggest('apy', 'payments', ['api']), ' (did you mean "api"?)');
  // The budget is spent: no comparison, no suggestion.
  assert.equal(suggest('detials', 'bookinfo', bookinfo), '');
});
